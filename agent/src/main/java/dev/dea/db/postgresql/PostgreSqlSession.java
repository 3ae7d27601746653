package dev.dea.db.postgresql;

import dev.dea.config.DbConfig;
import dev.dea.config.SqlLimits;
import dev.dea.db.session.SessionDialect;
import dev.dea.error.AgentException;
import org.postgresql.PGConnection;

import java.sql.Array;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import static java.util.Objects.requireNonNull;

/**
 * PostgreSQL's session: session-level read-only defaults in the start-up packet, every unit of
 * work a READ ONLY transaction with transaction-local timeouts, search_path and (optionally)
 * a read-only role, ended by a rollback and a session reset in one round trip.
 */
public final class PostgreSqlSession implements SessionDialect {
    /**
     * Ends the unit of work and resets the session in one round trip (one Sync: after ROLLBACK
     * the rest runs as one implicit transaction). It is DISCARD ALL without DISCARD PLANS, which
     * cannot run in a transaction block, plus the TimeZone RESET ALL takes back; DEALLOCATE ALL
     * also drops the driver's server-side statements, which pgjdbc notices and prepares again.
     */
    static final String RESET_SQL = "ROLLBACK; SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; "
            + "SET SESSION AUTHORIZATION DEFAULT; RESET ALL; SET TimeZone = 'UTC'; DISCARD TEMP; DISCARD SEQUENCES; "
            + "DEALLOCATE ALL";

    /**
     * The predefined roles that give access beyond the granted tables. pg_read_all_data reads
     * every relation, pg_authid's password hashes included; pg_write_all_data writes them all
     * (both PostgreSQL 14+; on older servers the names match no role).
     */
    static final List<String> SERVER_ROLES = List.of("pg_execute_server_program", "pg_read_all_data",
            "pg_read_all_settings", "pg_read_all_stats", "pg_read_server_files", "pg_signal_backend",
            "pg_write_all_data", "pg_write_server_files");

    // pg_has_role(..., 'MEMBER') follows memberships through other roles, with or without INHERIT.
    // A superuser is a member of every role, so its memberships say nothing more.
    // A role that is a superuser or bypasses row security is listed too: SET ROLE would give its
    // rights to anything that got past the guard.
    private static final String PRIVILEGES_QUERY = "SELECT r.rolsuper, r.rolbypassrls, ARRAY(SELECT p.rolname::text FROM pg_roles p"
            + " WHERE (p.rolname IN ('" + String.join("', '", SERVER_ROLES) + "') OR p.rolsuper OR p.rolbypassrls)"
            + " AND p.oid <> r.oid"
            + " AND NOT r.rolsuper AND pg_has_role(r.oid, p.oid, 'MEMBER') ORDER BY p.rolname)"
            + " FROM pg_roles r WHERE r.rolname = coalesce(?, session_user)";

    private final String transactionSettingsSql;
    private final Optional<String> readOnlyRole;

    public PostgreSqlSession(DbConfig config, SqlLimits limits) {
        this.transactionSettingsSql = transactionSettingsSql(requireNonNull(config, "config"), requireNonNull(limits, "limits"));
        this.readOnlyRole = config.readOnlyRole();
    }

    @Override
    public String product() {
        return "PostgreSQL";
    }

    @Override
    public Driver driver() {
        return new org.postgresql.Driver();
    }

    @Override
    public String jdbcUrl(DbConfig config) {
        return config.jdbcUrl();
    }

    @Override
    public Properties connectionProperties(DbConfig config, SqlLimits limits, String applicationName,
                                           int connectTimeoutSeconds, int socketTimeoutSeconds) {
        Properties props = config.driverProperties(applicationName, connectTimeoutSeconds);
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
     * pgjdbc announces the JVM's zone at start-up, which wins over TimeZone in the options, and
     * timestamptz must render in UTC regardless. Set once per connection, not per transaction: no
     * guarded statement can change it, and as a SET LOCAL it cost about 8 % of the database's
     * throughput for point queries (bench (b)). RESET_SQL sets it again after RESET ALL.
     */
    @Override
    public void initialize(Connection c, SqlLimits limits) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
        }
    }

    /**
     * One prepared statement (server-side after a few uses) is the SET LOCAL of every setting:
     * set_config(..., true) is transaction-local. pgjdbc opens the READ ONLY transaction first.
     */
    @Override
    public void begin(Connection c, Duration statementTimeout) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(transactionSettingsSql)) {
            ps.setString(1, Long.toString(statementTimeout.toMillis()));
            try (ResultSet ignored = ps.executeQuery()) {
                // the values are the settings themselves
            }
        }
    }

    /** Nothing a statement did survives, in the same round trip as the rollback alone (docs/database-access.md). */
    @Override
    public void end(Connection c, Duration statementTimeout) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(RESET_SQL);
        }
    }

    @Override
    public String versionQuery() {
        return "SELECT current_setting('server_version')";
    }

    @Override
    public List<String> privileges(Connection c) throws SQLException {
        return loginPrivileges(c, readOnlyRole);
    }

    /**
     * Superuser, bypassrls, memberships of {@link #SERVER_ROLES}, of the login and of
     * {@code DB_READONLY_ROLE}: every statement runs as that role, so its rights are the ones a
     * statement past the guard would have. Static for the doctor, which has no session.
     */
    public static List<String> loginPrivileges(Connection c, Optional<String> readOnlyRole) throws SQLException {
        List<String> out = rolePrivileges(c, null).orElseThrow(() -> new SQLException("the session user is not in pg_roles"));
        if (readOnlyRole.isPresent()) {
            // A role that does not exist fails every statement's set_config already, naming it.
            rolePrivileges(c, readOnlyRole.get()).orElse(List.of())
                    .forEach(p -> out.add("DB_READONLY_ROLE " + readOnlyRole.get() + ": " + p));
        }
        return out;
    }

    /** Of {@code role}, or of the session user when null; empty when there is no such role. */
    private static Optional<List<String>> rolePrivileges(Connection c, String role) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(PRIVILEGES_QUERY)) {
            s.setString(1, role);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                List<String> out = new ArrayList<>();
                if (rs.getBoolean(1)) {
                    out.add("superuser");
                }
                if (rs.getBoolean(2)) {
                    out.add("bypassrls");
                }
                Array roles = rs.getArray(3);
                for (Object member : (Object[]) roles.getArray()) {
                    out.add("member of " + member);
                }
                return Optional.of(out);
            }
        }
    }

    @Override
    public String readOnlyLoginScript() {
        return "docs/readonly-role.sql";
    }

    /** The protocol's CancelRequest, what {@code Statement.cancel()} sends: the backend stops working. */
    @Override
    public void cancel(Connection c) throws SQLException {
        c.unwrap(PGConnection.class).cancelQuery();
    }

    @Override
    public AgentException translate(SQLException e, Duration statementTimeout) {
        return PostgreSqlErrors.translate(e, statementTimeout);
    }

    @Override
    public String healthReason(SQLException e) {
        return PostgreSqlErrors.healthReason(e);
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

    private static String quoteIdent(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
