package dev.dea.db.session;

import dev.dea.config.DbConfig;
import dev.dea.config.SqlLimits;
import dev.dea.error.AgentException;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * What differs between the database products the agent serves, for the session it keeps with
 * one: how to connect, how a unit of work begins and ends (always READ ONLY, always rolled
 * back), what counts as a privileged login, and how the driver's errors map onto the agent's.
 * {@code dev.dea.db.Database} picks the implementation by the configured dialect, once.
 */
public interface SessionDialect {
    /** The product's name for messages ("PostgreSQL", "MySQL/MariaDB"). */
    String product();

    Driver driver();

    String jdbcUrl(DbConfig config);

    /**
     * The driver's connection properties without the credentials. {@code socketTimeoutSeconds}
     * 0 means none (the statement time limit bounds the work instead).
     */
    Properties connectionProperties(DbConfig config, SqlLimits limits, String applicationName,
                                    int connectTimeoutSeconds, int socketTimeoutSeconds);

    /** Runs once on each new physical connection (auto-commit still on), before the pool hands it out. */
    void initialize(Connection c, SqlLimits limits) throws SQLException;

    /** Opens the unit of work on a pooled connection (auto-commit off): READ ONLY, bounded by {@code statementTimeout}. */
    void begin(Connection c, Duration statementTimeout) throws SQLException;

    /** Ends the unit of work: rolled back, and nothing it changed in the session survives. */
    void end(Connection c, Duration statementTimeout) throws SQLException;

    /** One row, one column: the server's version, for /health. */
    String versionQuery();

    /** What the session's login may do beyond reading; empty for a least-privilege login. */
    List<String> privileges(Connection c) throws SQLException;

    /** The script that creates a least-privilege login for this product, named in refusals. */
    String readOnlyLoginScript();

    /** Asks the server to stop the statement running on {@code c}, from another thread. */
    void cancel(Connection c) throws SQLException;

    /** The agent's error for a failed unit of work; the caller's SQL mistakes stay 400s. */
    AgentException translate(SQLException e, Duration statementTimeout);

    /** A reason safe for the unauthenticated /health: a category, never the driver's text. */
    String healthReason(SQLException e);

    static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
