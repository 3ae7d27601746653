package dev.dea.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
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
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
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

    private final DbConfig config;
    private final SqlLimits limits;
    private final HikariDataSource pool;
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
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("dea-db");
        hc.setJdbcUrl(config.jdbcUrl());
        hc.setUsername(config.user());
        hc.setPassword(config.password());
        hc.setMaximumPoolSize(config.poolSize());
        hc.setMinimumIdle(Math.min(2, config.poolSize()));
        hc.setConnectionTimeout(5_000);
        hc.setValidationTimeout(2_000);
        hc.setMaxLifetime(30 * 60_000);
        // Start without the database: /health reports it, requests get 503 until it is back.
        hc.setInitializationFailTimeout(-1);
        hc.setAutoCommit(false);
        hc.setReadOnly(true);
        hc.setDataSourceProperties(config.driverProperties("data-execution-agent", 5));
        hc.addDataSourceProperty("socketTimeout", "0");
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        // The driver holds one fetched batch of rows at a time: bounded in bytes, so that a query of
        // huge rows fails with RESULT_TOO_LARGE instead of filling the heap every request shares.
        // Batches after the first adapt to the rows' size (adaptiveFetch), up to SQL_FETCH_SIZE rows.
        hc.addDataSourceProperty("maxResultBuffer", Long.toString(limits.resultBufferBytes()));
        hc.addDataSourceProperty("adaptiveFetch", "true");
        hc.addDataSourceProperty("adaptiveFetchMaximum", Integer.toString(limits.fetchSize()));
        // Session-level defaults under the per-transaction SET LOCALs: if a statement ever ended the
        // agent's transaction (e.g. a smuggled COMMIT), whatever runs next is still read-only and bounded.
        hc.addDataSourceProperty("options", sessionOptions(config, limits));
        // pgjdbc announces the JVM's zone at start-up, which wins over TimeZone in the options, and
        // timestamptz must render in UTC regardless. Set once per connection (committed: HikariCP
        // isolates its own statements), not per transaction: no guarded statement can change it, and
        // as a SET LOCAL it cost about 8 % of the database's throughput for point queries (bench (b)).
        hc.setConnectionInitSql("SET TimeZone = 'UTC'");
        hc.setIsolateInternalQueries(true);
        // On the config, so the pool reports from its first connection attempt on.
        metrics.ifPresent(registry -> hc.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry)));
        this.pool = new HikariDataSource(hc);
        this.transactionSettingsSql = transactionSettingsSql(config, limits);
        log.info("Database pool started for {} (pool size {}, read-only role {})", config, config.poolSize(),
                config.readOnlyRole().orElse("none"));
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
        Connection c;
        try {
            c = pool.getConnection();
        } catch (SQLException e) {
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

    private void release(Connection c) {
        try {
            // Nothing a statement did survives: the transaction is rolled back and SET LOCALs go with it.
            c.rollback();
        } catch (SQLException e) {
            log.debug("Rollback failed, evicting the connection: {}", e.getMessage());
            pool.evictConnection(c);
        } finally {
            try {
                c.close();
            } catch (SQLException e) {
                log.debug("Closing a pooled connection failed: {}", e.getMessage());
            }
        }
    }

    public DbHealth health() {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(3);
            try (ResultSet rs = s.executeQuery("SELECT current_setting('server_version')")) {
                rs.next();
                String version = rs.getString(1);
                c.rollback();
                if (!lastHealthy.getAndSet(true)) {
                    log.info("Database reachable again (server {})", version);
                }
                return DbHealth.up(version);
            }
        } catch (SQLException e) {
            String reason = SqlErrors.healthReason(e);
            // /health is polled often: log the driver's full message once per transition, not per probe.
            if (lastHealthy.getAndSet(false)) {
                log.warn("Database became unreachable ({}): {}", reason, SqlErrors.firstLine(e.getMessage()));
            }
            return DbHealth.down(reason);
        }
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
        }
    }
}
