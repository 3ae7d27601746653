package dev.dea.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.dea.config.ConfigException;
import dev.dea.config.DbConfig;
import dev.dea.config.SqlLimits;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
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
 * The client's PostgreSQL, reached only through {@link #readOnly}: every unit of work
 * runs in a READ ONLY transaction with statement, lock and idle timeouts, a pinned
 * search_path and (optionally) a read-only role, and is always rolled back. The pool
 * starts even when the database is down, so the agent can report it and recover
 * without a restart.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    private static final int HEALTH_WAIT_MILLIS = 1_000;
    private static final int HEALTH_TIMEOUT_SECONDS = 1;
    private static final long POOL_BUSY_RETRY_SECONDS = 1;
    /**
     * Ends the unit of work and resets the session in one round trip (one Sync: after ROLLBACK
     * the rest runs as one implicit transaction). It is DISCARD ALL without DISCARD PLANS, which
     * cannot run in a transaction block, plus the TimeZone RESET ALL takes back; DEALLOCATE ALL
     * also drops the driver's server-side statements, which pgjdbc notices and prepares again.
     */
    static final String RESET_SQL = "ROLLBACK; SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; "
            + "SET SESSION AUTHORIZATION DEFAULT; RESET ALL; SET TimeZone = 'UTC'; DISCARD TEMP; DISCARD SEQUENCES; "
            + "DEALLOCATE ALL";

    private final DbConfig config;
    private final SqlLimits limits;
    private final HikariDataSource pool;
    private final HikariDataSource healthPool;
    private final LoginCheck login;
    private volatile DbHealth lastHealth;
    private final String transactionSettingsSql;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean lastHealthy = new AtomicBoolean(true);

    public Database(DbConfig config, SqlLimits limits) {
        this(config, limits, Optional.empty());
    }

    /** With {@code metrics}, the pool publishes HikariCP's {@code hikaricp.connections.*} meters (tag pool=dea-db). */
    public Database(DbConfig config, SqlLimits limits, Optional<MeterRegistry> metrics) {
        this.config = requireNonNull(config, "config");
        this.limits = requireNonNull(limits, "limits");
        this.login = new LoginCheck(config.user(), config.allowPrivilegedLogin());
        // Before any pool exists: a refused login then stops the start with nothing to clean up.
        refusePrivilegedLoginAtStartup(config, limits);
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("dea-db");
        // Every new physical connection's login is checked before the pool may hand it out.
        hc.setDataSource(new CheckingDataSource(config.jdbcUrl(), connectionProperties(config, limits, "data-execution-agent", 0), login, true));
        hc.setMaximumPoolSize(config.poolSize());
        hc.setMinimumIdle(Math.min(2, config.poolSize()));
        hc.setConnectionTimeout(5_000);
        hc.setValidationTimeout(2_000);
        hc.setMaxLifetime(30 * 60_000);
        // Start without the database: /health reports it, requests get 503 until it is back.
        hc.setInitializationFailTimeout(-1);
        hc.setAutoCommit(false);
        hc.setReadOnly(true);
        // pgjdbc announces the JVM's zone at start-up, which wins over TimeZone in the options, and
        // timestamptz must render in UTC regardless. Set once per connection (committed: HikariCP
        // isolates its own statements), not per transaction: no guarded statement can change it, and
        // as a SET LOCAL it cost about 8 % of the database's throughput for point queries (bench (b)).
        // RESET_SQL sets it again after RESET ALL.
        hc.setConnectionInitSql("SET TimeZone = 'UTC'");
        hc.setIsolateInternalQueries(true);
        // On the config, so the pool reports from its first connection attempt on.
        metrics.ifPresent(registry -> hc.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry)));
        this.pool = new HikariDataSource(hc);
        this.healthPool = healthPool(config, limits, login);
        this.transactionSettingsSql = transactionSettingsSql(config, limits);
        log.info("Database pool started for {} (pool size {}, read-only role {})", config, config.poolSize(),
                config.readOnlyRole().orElse("none"));
    }

    /**
     * /health has its own connection, so that it answers quickly while every pooled connection
     * is busy: one connection, a short wait for it, and the same login check.
     */
    private static HikariDataSource healthPool(DbConfig config, SqlLimits limits, LoginCheck login) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("dea-db-health");
        hc.setDataSource(new CheckingDataSource(config.jdbcUrl(),
                connectionProperties(config, limits, "data-execution-agent health", HEALTH_TIMEOUT_SECONDS), login, true));
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
    private static Properties connectionProperties(DbConfig config, SqlLimits limits, String applicationName,
                                                   int socketTimeoutSeconds) {
        Properties props = config.driverProperties(applicationName, 5);
        props.setProperty("user", config.user());
        props.setProperty("password", config.password());
        props.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
        props.setProperty("tcpKeepAlive", "true");
        // So that pgjdbc sends ApplicationName (and extra_float_digits) in the start-up packet instead of
        // SETting them afterwards: RESET_SQL's RESET ALL then returns to them.
        props.setProperty("assumeMinServerVersion", "10");
        // The driver holds one fetched batch of rows at a time: bounded in bytes, so that a query of
        // huge rows fails with RESULT_TOO_LARGE instead of filling the heap every request shares.
        // Batches after the first adapt to the rows' size (adaptiveFetch), up to SQL_FETCH_SIZE rows.
        props.setProperty("maxResultBuffer", Long.toString(limits.resultBufferBytes()));
        props.setProperty("adaptiveFetch", "true");
        props.setProperty("adaptiveFetchMaximum", Integer.toString(limits.fetchSize()));
        // Session-level defaults under the per-transaction SET LOCALs: if a statement ever ended the
        // agent's transaction (e.g. a smuggled COMMIT), whatever runs next is still read-only and bounded.
        // They are also what RESET ALL returns to between units of work.
        props.setProperty("options", sessionOptions(config, limits));
        return props;
    }

    /**
     * One connection of its own, opened now: a privileged login stops the agent at start-up with
     * one message. A database that does not answer yet is checked when it first does.
     */
    private void refusePrivilegedLoginAtStartup(DbConfig config, SqlLimits limits) {
        // Quietly: the refusal is the start-up's one message, printed by Main.
        CheckingDataSource once = new CheckingDataSource(config.jdbcUrl(),
                connectionProperties(config, limits, "data-execution-agent", 30), login, false);
        try (Connection ignored = once.getConnection()) {
            // accepted: the login is unprivileged, or privileged with DB_ALLOW_PRIVILEGED_LOGIN=true
        } catch (LoginCheck.Refused e) {
            throw new ConfigException(List.of(e.getMessage()));
        } catch (SQLException e) {
            log.warn("The database did not answer at start-up ({}): the login's privileges are checked when it does",
                    SqlErrors.healthReason(e));
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
                    "The database is unavailable: " + SqlErrors.firstLine(e.getMessage()), Map.of(), e);
        }
        try {
            QueryCancel.enter(c);
            // One prepared statement (server-side after a few uses) is the SET LOCAL of every setting:
            // set_config(..., true) is transaction-local. pgjdbc opens the READ ONLY transaction first.
            try (PreparedStatement ps = c.prepareStatement(transactionSettingsSql)) {
                ps.setString(1, Long.toString(statementTimeout.toMillis()));
                try (ResultSet ignored = ps.executeQuery()) {
                    // the values are the settings themselves
                }
            }
            return work.run(c);
        } catch (SQLException e) {
            throw SqlErrors.translate(e, statementTimeout);
        } finally {
            QueryCancel.leave();
            release(c);
        }
    }

    private void refuseIfPrivileged() {
        login.refused().ifPresent(found -> {
            throw new AgentException(ErrorType.DB_UNAVAILABLE, "The database is unavailable: the login is privileged ("
                    + found.describe() + ") and refused; " + LoginCheck.REMEDY, Map.of(), null);
        });
    }

    private void release(Connection c) {
        try (Statement s = c.createStatement()) {
            // Nothing a statement did survives: the transaction is rolled back and the session reset,
            // in the same round trip as the rollback alone (docs/database-access.md).
            s.execute(RESET_SQL);
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
                    + ") and refused: see docs/readonly-role.sql"), null);
        }
        try (Connection c = healthPool.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(HEALTH_TIMEOUT_SECONDS);
            try (ResultSet rs = s.executeQuery("SELECT current_setting('server_version')")) {
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
            return remember(DbHealth.down(SqlErrors.healthReason(e)), e);
        }
    }

    private DbHealth remember(DbHealth health, SQLException failure) {
        lastHealth = health;
        // /health is polled often: log once per transition, not per probe.
        if (health.reachable() && !lastHealthy.getAndSet(true)) {
            log.info("Database reachable again (server {})", health.serverVersion().orElse("?"));
        } else if (!health.reachable() && lastHealthy.getAndSet(false)) {
            log.warn("Database became unusable ({}): {}", health.reason().orElse("?"),
                    failure == null ? "see above" : SqlErrors.firstLine(failure.getMessage()));
        }
        return health;
    }

    static String sessionOptions(DbConfig config, SqlLimits limits) {
        return "-c default_transaction_read_only=on"
                + " -c statement_timeout=" + limits.statementTimeout().toMillis()
                + " -c lock_timeout=" + limits.lockTimeout().toMillis()
                + " -c idle_in_transaction_session_timeout=" + limits.idleInTransactionTimeout().toMillis()
                + " -c TimeZone=UTC"
                + " -c search_path=" + config.searchPath().replace(" ", "");
    }

    /** Per-transaction settings; the values are validated numbers and identifiers, quoted as literals. */
    static String transactionSettingsSql(DbConfig config, SqlLimits limits) {
        StringBuilder sb = new StringBuilder("SELECT set_config('statement_timeout', ?, true)");
        sb.append(", set_config('lock_timeout', '").append(limits.lockTimeout().toMillis()).append("', true)");
        sb.append(", set_config('idle_in_transaction_session_timeout', '")
                .append(limits.idleInTransactionTimeout().toMillis()).append("', true)");
        sb.append(", set_config('search_path', ").append(quoteLiteral(quotePath(config.searchPath()))).append(", true)");
        config.readOnlyRole().ifPresent(role -> sb.append(", set_config('role', ").append(quoteLiteral(role)).append(", true)"));
        return sb.toString();
    }

    private static String quoteLiteral(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static String quotePath(String path) {
        StringBuilder sb = new StringBuilder();
        for (String part : path.split(",")) {
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            String name = part.strip();
            // Lower-case names need no quotes (and SHOW search_path then reads as configured).
            sb.append(name.matches("[a-z_][a-z0-9_$]*") ? name : quoteIdent(name));
        }
        return sb.toString();
    }

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
