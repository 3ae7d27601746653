package dev.dea.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.dea.config.ConfigException;
import dev.dea.config.DbConfig;
import dev.dea.config.SqlLimits;
import dev.dea.db.mysql.MySqlSession;
import dev.dea.db.postgresql.PostgreSqlSession;
import dev.dea.db.session.SessionDialect;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.util.Objects.requireNonNull;

/**
 * The client's database, reached only through {@link #readOnly}: every unit of work runs in
 * a READ ONLY transaction with statement and lock timeouts, and is always rolled back. What
 * that takes differs by product ({@link SessionDialect}: PostgreSQL, MySQL/MariaDB), chosen
 * here once by the configured dialect. The pool starts even when the database is down, so the
 * agent can report it and recover without a restart.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    private static final int HEALTH_WAIT_MILLIS = 1_000;
    private static final int HEALTH_TIMEOUT_SECONDS = 1;
    private static final long POOL_BUSY_RETRY_SECONDS = 1;
    private final DbConfig config;
    private final SqlLimits limits;
    private final HikariDataSource pool;
    private final HikariDataSource healthPool;
    private final LoginCheck login;
    private volatile DbHealth lastHealth;
    private final SessionDialect session;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean lastHealthy = new AtomicBoolean(true);

    public Database(DbConfig config, SqlLimits limits) {
        this(config, limits, Optional.empty());
    }

    /** With {@code metrics}, the pool publishes HikariCP's {@code hikaricp.connections.*} meters (tag pool=dea-db). */
    public Database(DbConfig config, SqlLimits limits, Optional<MeterRegistry> metrics) {
        this(config, limits, metrics, LoginSettings.ENV, DEFAULT_POOL_NAME);
    }

    /** The pool of the default datasource (and of the DB_* variables): the name dashboards know. */
    public static final String DEFAULT_POOL_NAME = "dea-db";

    /**
     * {@code settings}: how messages about the login name its settings (DB_* or a DATASOURCES_FILE
     * entry); {@code poolName}: the pool's name in logs and in the {@code pool} tag of its meters
     * ({@code poolName}-health for the /health connection).
     */
    public Database(DbConfig config, SqlLimits limits, Optional<MeterRegistry> metrics, LoginSettings settings,
                    String poolName) {
        this.config = requireNonNull(config, "config");
        this.limits = requireNonNull(limits, "limits");
        this.session = sessionFor(config, limits);
        this.login = new LoginCheck(session, config.user(), config.allowPrivilegedLogin(), requireNonNull(settings, "settings"));
        // Before any pool exists: a refused login then stops the start with nothing to clean up.
        refusePrivilegedLoginAtStartup(config, limits);
        HikariConfig hc = new HikariConfig();
        hc.setPoolName(requireNonNull(poolName, "poolName"));
        // Every new physical connection's login is checked before the pool may hand it out.
        hc.setDataSource(new CheckingDataSource(session, limits, session.jdbcUrl(config),
                connectionProperties(session, config, limits, "data-execution-agent", 0), login, true));
        hc.setMaximumPoolSize(config.poolSize());
        hc.setMinimumIdle(Math.min(2, config.poolSize()));
        hc.setConnectionTimeout(5_000);
        hc.setValidationTimeout(2_000);
        hc.setMaxLifetime(30 * 60_000);
        // Start without the database: /health reports it, requests get 503 until it is back.
        hc.setInitializationFailTimeout(-1);
        hc.setAutoCommit(false);
        hc.setReadOnly(true);
        // On the config, so the pool reports from its first connection attempt on.
        metrics.ifPresent(registry -> hc.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry)));
        this.pool = new HikariDataSource(hc);
        this.healthPool = healthPool(session, config, limits, login, poolName + "-health");
        log.info("Database pool started for {} ({}, pool size {}, read-only role {})", config, session.product(), config.poolSize(),
                config.readOnlyRole().orElse("none"));
    }

    /** The one place the dialect picks the session's implementation. */
    static SessionDialect sessionFor(DbConfig config, SqlLimits limits) {
        return switch (config.dialect()) {
            case POSTGRESQL -> new PostgreSqlSession(config, limits);
            case MYSQL -> new MySqlSession(limits);
        };
    }

    /**
     * /health has its own connection, so that it answers quickly while every pooled connection
     * is busy: one connection, a short wait for it, and the same login check.
     */
    private static HikariDataSource healthPool(SessionDialect session, DbConfig config, SqlLimits limits, LoginCheck login,
                                               String poolName) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName(poolName);
        hc.setDataSource(new CheckingDataSource(session, limits, session.jdbcUrl(config),
                connectionProperties(session, config, limits, "data-execution-agent health", HEALTH_TIMEOUT_SECONDS), login, true));
        hc.setMaximumPoolSize(1);
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(HEALTH_WAIT_MILLIS);
        hc.setValidationTimeout(Math.min(HEALTH_WAIT_MILLIS, 1_000));
        hc.setMaxLifetime(30 * 60_000);
        hc.setInitializationFailTimeout(-1);
        hc.setAutoCommit(true);
        hc.setReadOnly(true);
        return new HikariDataSource(hc);
    }

    /** Driver properties with the credentials, for {@link CheckingDataSource}; never logged. */
    private static Properties connectionProperties(SessionDialect session, DbConfig config, SqlLimits limits,
                                                   String applicationName, int socketTimeoutSeconds) {
        Properties props = session.connectionProperties(config, limits, applicationName, 5, socketTimeoutSeconds);
        props.setProperty("user", config.user());
        props.setProperty("password", config.password());
        return props;
    }

    /**
     * One connection of its own, opened now: a privileged login stops the agent at start-up with
     * one message. A database that does not answer yet is checked when it first does.
     */
    private void refusePrivilegedLoginAtStartup(DbConfig config, SqlLimits limits) {
        // Quietly: the refusal is the start-up's one message, printed by Main.
        CheckingDataSource once = new CheckingDataSource(session, limits, session.jdbcUrl(config),
                connectionProperties(session, config, limits, "data-execution-agent", 30), login, false);
        try (Connection ignored = once.getConnection()) {
            // accepted: the login is unprivileged, or privileged with DB_ALLOW_PRIVILEGED_LOGIN=true
        } catch (LoginCheck.Refused e) {
            throw new ConfigException(List.of(e.getMessage()));
        } catch (SQLException e) {
            log.warn("The database did not answer at start-up ({}): the login's privileges are checked when it does",
                    session.healthReason(e));
        }
    }

    public DbConfig config() {
        return config;
    }

    public SqlLimits limits() {
        return limits;
    }

    /** Runs {@code work} in a rolled-back READ ONLY transaction with the configured statement timeout. */
    public <T> T readOnly(SqlWork<T> work) {
        return readOnly(limits.statementTimeout(), work);
    }

    public <T> T readOnly(Duration statementTimeout, SqlWork<T> work) {
        if (closed.get()) {
            throw new AgentException(ErrorType.DB_UNAVAILABLE, "The agent is shutting down");
        }
        refuseIfPrivileged();
        Connection c;
        try {
            c = pool.getConnection();
        } catch (SQLException e) {
            refuseIfPrivileged();
            // HikariCP names the last failed connection attempt as the cause; without one, every
            // connection is busy with a database that answers: a reason to retry, not an outage.
            if (e instanceof SQLTransientConnectionException && e.getCause() == null) {
                throw new AgentException(ErrorType.TOO_MANY_REQUESTS, "All " + config.poolSize()
                        + " database connections are busy (DB_POOL_SIZE); retry after " + POOL_BUSY_RETRY_SECONDS + " s",
                        Map.of("retry_after_seconds", POOL_BUSY_RETRY_SECONDS), e);
            }
            throw new AgentException(ErrorType.DB_UNAVAILABLE,
                    "The database is unavailable: " + SessionDialect.firstLine(e.getMessage()), Map.of(), e);
        }
        try {
            QueryCancel.enter(c, session);
            session.begin(c, statementTimeout);
            return work.run(c);
        } catch (SQLException e) {
            throw session.translate(e, statementTimeout);
        } finally {
            QueryCancel.leave();
            release(c, statementTimeout);
        }
    }

    /**
     * Starts {@code work} as {@link #readOnly(SqlWork)} would run it, on another thread with a
     * pooled connection of its own; the caller must hold a budget for that connection (the pool
     * is sized for admitted work) and close the result.
     */
    public <T> Aside<T> aside(SqlWork<T> work) {
        return Aside.start(this, requireNonNull(work, "work"));
    }

    private void refuseIfPrivileged() {
        login.refused().ifPresent(found -> {
            throw new AgentException(ErrorType.DB_UNAVAILABLE, "The database is unavailable: the login is privileged ("
                    + found.describe() + ") and refused; " + login.remedy(), Map.of(), null);
        });
    }

    private void release(Connection c, Duration statementTimeout) {
        try {
            // Nothing a statement did survives: the transaction is rolled back and the session reset.
            session.end(c, statementTimeout);
        } catch (SQLException e) {
            log.debug("Resetting the connection failed, evicting it: {}", e.getMessage());
            pool.evictConnection(c);
        } finally {
            try {
                c.close();
            } catch (SQLException e) {
                log.debug("Closing a pooled connection failed: {}", e.getMessage());
            }
        }
    }

    /** Answers within about {@value #HEALTH_WAIT_MILLIS} ms plus the probe, however busy the pool is. */
    public DbHealth health() {
        Optional<LoginPrivileges> refused = login.refused();
        if (refused.isPresent()) {
            // Not named on the unauthenticated /health: the user; the privileges are no secret.
            return remember(DbHealth.down("the database login is privileged (" + refused.get().describe()
                    + ") and refused: see " + session.readOnlyLoginScript()), null);
        }
        try (Connection c = healthPool.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(HEALTH_TIMEOUT_SECONDS);
            try (ResultSet rs = s.executeQuery(session.versionQuery())) {
                rs.next();
                return remember(DbHealth.up(rs.getString(1), login.acceptedPrivileges()), null);
            }
        } catch (SQLException e) {
            if (login.refused().isPresent()) {
                return health();
            }
            if (e instanceof SQLTransientConnectionException && e.getCause() == null && lastHealth != null) {
                // Its one connection is busy with another probe of the same moment: that one's answer holds.
                return lastHealth;
            }
            return remember(DbHealth.down(session.healthReason(e)), e);
        }
    }

    private DbHealth remember(DbHealth health, SQLException failure) {
        lastHealth = health;
        // /health is polled often: log once per transition, not per probe.
        if (health.reachable() && !lastHealthy.getAndSet(true)) {
            log.info("Database reachable again (server {})", health.serverVersion().orElse("?"));
        } else if (!health.reachable() && lastHealthy.getAndSet(false)) {
            log.warn("Database became unusable ({}): {}", health.reason().orElse("?"),
                    failure == null ? "see above" : SessionDialect.firstLine(failure.getMessage()));
        }
        return health;
    }

    /** PostgreSQL's quoting of an identifier, for the schema and profile queries (PostgreSQL-only today). */
    public static String quoteIdent(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            log.info("Closing database pool");
            pool.close();
            healthPool.close();
        }
    }
}
