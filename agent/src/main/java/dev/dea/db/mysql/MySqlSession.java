package dev.dea.db.mysql;

import dev.dea.config.DbConfig;
import dev.dea.config.SqlLimits;
import dev.dea.db.session.SessionDialect;
import dev.dea.error.AgentException;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import static java.util.Objects.requireNonNull;

/**
 * MySQL's and MariaDB's session, through MariaDB Connector/J: the session itself is READ ONLY
 * (so a statement that ended the agent's transaction still cannot write), its time zone is
 * pinned to {@code +00:00}, lock waits are bounded, and statements have a time limit; every
 * unit of work is a {@code START TRANSACTION READ ONLY} that is always rolled back.
 *
 * <p>The one product difference is the statement time limit: MariaDB's {@code max_statement_time}
 * is in seconds and covers every statement, MySQL's {@code max_execution_time} is in
 * milliseconds and covers SELECT only (which is all the guard lets through). Which one applies
 * is read from the server's {@code VERSION()} on each new connection.
 */
public final class MySqlSession implements SessionDialect {
    private final SqlLimits limits;

    public MySqlSession(SqlLimits limits) {
        this.limits = requireNonNull(limits, "limits");
    }

    @Override
    public String product() {
        return "MySQL/MariaDB";
    }

    @Override
    public Driver driver() {
        return new org.mariadb.jdbc.Driver();
    }

    @Override
    public String jdbcUrl(DbConfig config) {
        return url(config);
    }

    /** MariaDB Connector/J's URL, for MySQL too; static for the doctor, which has no session. */
    public static String url(DbConfig config) {
        return "jdbc:mariadb://" + config.host() + ":" + config.port() + "/" + config.name();
    }

    @Override
    public Properties connectionProperties(DbConfig config, SqlLimits limits, String applicationName,
                                           int connectTimeoutSeconds, int socketTimeoutSeconds) {
        return driverProperties(config, applicationName, connectTimeoutSeconds, socketTimeoutSeconds);
    }

    /** The driver's properties without the credentials; static for the doctor, which has no session. */
    public static Properties driverProperties(DbConfig config, String applicationName, int connectTimeoutSeconds,
                                              int socketTimeoutSeconds) {
        Properties props = new Properties();
        props.setProperty("sslMode", sslMode(config.sslMode()));
        props.setProperty("connectTimeout", Integer.toString(connectTimeoutSeconds * 1000));
        props.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds * 1000));
        props.setProperty("tcpKeepAlive", "true");
        // Shown in performance_schema.session_connect_attrs, as ApplicationName is in pg_stat_activity.
        props.setProperty("connectionAttributes", "program_name:" + applicationName.replace(',', ' ').replace(':', ' '));
        // The column decoder decides what TINYINT(1) and YEAR are (docs/frame-format.md), not the driver.
        props.setProperty("tinyInt1isBit", "false");
        props.setProperty("yearIsDateType", "false");
        // Temporal values are read as the server's text (zero dates included); the session zone is UTC.
        props.setProperty("connectionTimeZone", "UTC");
        // One statement per execute: never let the driver send several in one packet.
        props.setProperty("allowMultiQueries", "false");
        return props;
    }

    /**
     * Connector/J has no opportunistic TLS: {@code prefer} and {@code allow} connect without it,
     * {@code require} encrypts without verifying, the verify modes verify (README, "MySQL").
     */
    static String sslMode(String dbSslMode) {
        return switch (dbSslMode.toLowerCase(Locale.ROOT)) {
            case "require" -> "trust";
            case "verify-ca" -> "verify-ca";
            case "verify-full" -> "verify-full";
            default -> "disable";
        };
    }

    @Override
    public void initialize(Connection c, SqlLimits limits) throws SQLException {
        boolean mariaDb = isMariaDb(version(c));
        long lockSeconds = Math.max(1, (limits.lockTimeout().toMillis() + 999) / 1000);
        String sqlMode = guardSafeSqlMode(single(c, "SELECT @@SESSION.sql_mode"));
        try (Statement s = c.createStatement()) {
            // The guard reads the text as the server will only in utf8mb4 and without these modes
            // (docs/sql-guard-mysql.md, "What the connection must guarantee").
            s.execute("SET NAMES utf8mb4");
            s.execute("SET SESSION sql_mode = '" + sqlMode + "'");
            s.execute("SET SESSION TRANSACTION READ ONLY");
            s.execute("SET SESSION time_zone = '+00:00', SESSION lock_wait_timeout = " + lockSeconds
                    + ", SESSION innodb_lock_wait_timeout = " + lockSeconds + ", SESSION "
                    + timeLimitAssignment(mariaDb, limits.statementTimeout()));
        }
    }

    /** Modes under which the MySQL guard would read a statement differently from the server. */
    static final java.util.Set<String> GUARD_UNSAFE_MODES = java.util.Set.of("ANSI", "ANSI_QUOTES", "NO_BACKSLASH_ESCAPES",
            "ORACLE", "DB2", "MSSQL", "POSTGRESQL", "MAXDB");

    /** The server's {@code sql_mode} without {@link #GUARD_UNSAFE_MODES}; its other modes are the server's choice. */
    static String guardSafeSqlMode(String sqlMode) {
        StringBuilder out = new StringBuilder();
        for (String mode : sqlMode == null ? new String[0] : sqlMode.split(",")) {
            String name = mode.strip().toUpperCase(Locale.ROOT);
            // Mode names are letters and underscores: anything else is not put into the SET.
            if (!name.isEmpty() && name.matches("[A-Z_]+") && !GUARD_UNSAFE_MODES.contains(name)) {
                out.append(out.isEmpty() ? "" : ",").append(name);
            }
        }
        return out.toString();
    }

    /** {@code VERSION()} says "...-MariaDB..." on MariaDB; MySQL's never does. */
    static boolean isMariaDb(String version) {
        return version.toLowerCase(Locale.ROOT).contains("mariadb");
    }

    private static String version(Connection c) throws SQLException {
        return single(c, "SELECT VERSION()");
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The session variable that limits a statement's run time, and its value, for the server's product. */
    static String timeLimitAssignment(boolean mariaDb, Duration limit) {
        long millis = Math.max(1, limit.toMillis());
        return mariaDb
                ? "max_statement_time = " + (millis / 1000) + "." + String.format(Locale.ROOT, "%03d", millis % 1000)
                : "max_execution_time = " + millis;
    }

    @Override
    public void begin(Connection c, Duration statementTimeout) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (!statementTimeout.equals(limits.statementTimeout())) {
                // A unit with its own limit (a profile's scans): set for this unit, restored in end().
                s.execute("SET SESSION " + timeLimitAssignment(isMariaDb(c.getMetaData().getDatabaseProductVersion()),
                        statementTimeout));
            }
            s.execute("START TRANSACTION READ ONLY");
        }
    }

    @Override
    public void end(Connection c, Duration statementTimeout) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("ROLLBACK");
            if (!statementTimeout.equals(limits.statementTimeout())) {
                s.execute("SET SESSION " + timeLimitAssignment(isMariaDb(c.getMetaData().getDatabaseProductVersion()),
                        limits.statementTimeout()));
            }
        }
    }

    @Override
    public String versionQuery() {
        return "SELECT VERSION()";
    }

    @Override
    public List<String> privileges(Connection c) throws SQLException {
        return loginPrivileges(c);
    }

    /** From the login's own SHOW GRANTS ({@link MySqlGrants}); static for the doctor, which has no session. */
    public static List<String> loginPrivileges(Connection c) throws SQLException {
        return MySqlGrants.privileges(c);
    }

    /** The login's grants that let it write or change anything ("INSERT on shop.*"), for the doctor. */
    public static List<String> writeGrants(Connection c) throws SQLException {
        return MySqlGrants.writes(MySqlGrants.showGrants(c));
    }

    /** The login's grants that let it read the mysql system database and its password hashes, for the doctor. */
    public static List<String> systemReadGrants(Connection c) throws SQLException {
        return MySqlGrants.systemReads(MySqlGrants.showGrants(c));
    }

    @Override
    public String readOnlyLoginScript() {
        return "docs/readonly-role-mysql.sql";
    }

    /** KILL QUERY for the connection's thread, sent by the driver over a connection of its own. */
    @Override
    public void cancel(Connection c) throws SQLException {
        c.unwrap(org.mariadb.jdbc.Connection.class).cancelCurrentQuery();
    }

    @Override
    public AgentException translate(SQLException e, Duration statementTimeout) {
        return MySqlErrors.translate(e, statementTimeout);
    }

    @Override
    public String healthReason(SQLException e) {
        return MySqlErrors.healthReason(e);
    }
}
