package dev.dea.doctor;

import dev.dea.config.DbConfig;
import dev.dea.config.Dialect;
import dev.dea.db.LoginPrivileges;
import dev.dea.db.postgresql.PostgreSqlSession;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * Whether the agent's database answers, as whom, and how much that login could write. The
 * agent's own guard and READ ONLY transactions hold either way; a login that cannot write
 * is the third wall (docs/readonly-role.sql), so its absence is a warning, not a failure.
 */
final class DatabaseChecks {
    static final String DATABASE = "database";
    static final String LOGIN = "database login";
    static final String RIGHTS = "database rights";
    static final String ROLE = "database role";
    static final String READONLY_REMEDY = "create a read-only role with docs/readonly-role.sql and set DB_USER to it";
    private static final int CONNECT_TIMEOUT_SECONDS = 5;
    private static final int MAX_LISTED = 5;

    private DatabaseChecks() {
    }

    static List<Check> run(Optional<DbConfig> db) {
        if (db.isEmpty()) {
            return List.of(Check.ok(DATABASE, "demo mode: no DB_HOST, DB_USER, DB_NAME or DB_PASSWORD is set, "
                    + "so the agent starts an embedded PostgreSQL with a generated dataset"));
        }
        DbConfig config = db.get();
        // The one place the dialect picks its checks.
        if (config.dialect() == Dialect.MYSQL) {
            return MySqlDatabaseChecks.run(config);
        }
        List<Check> checks = new ArrayList<>();
        Connection c;
        try {
            c = connect(config);
        } catch (SQLException e) {
            checks.add(Check.fail(DATABASE, "cannot connect to " + where(config) + ": " + firstLine(e),
                    "check DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD and DB_SSL_MODE, and that the server accepts "
                            + "connections from this host (listen_addresses, pg_hba.conf)"));
            checks.add(Check.skip(LOGIN, "the database is not reachable"));
            checks.add(Check.skip(RIGHTS, "the database is not reachable"));
            config.readOnlyRole().ifPresent(r -> checks.add(Check.skip(ROLE, "the database is not reachable")));
            return checks;
        }
        try (c) {
            checks.add(guarded(c, DATABASE, () -> Check.ok(DATABASE, "PostgreSQL " + serverVersion(c) + " at " + where(config))));
            checks.add(guarded(c, LOGIN, () -> login(c, config)));
            checks.add(guarded(c, RIGHTS, () -> rights(c, config, "'" + config.user() + "'", READONLY_REMEDY)));
            config.readOnlyRole().ifPresent(role -> checks.add(guarded(c, ROLE, () -> role(c, config, role))));
            c.rollback();
        } catch (SQLException e) {
            // Closing a connection that answered every check is not a finding.
        }
        return checks;
    }

    private static Connection connect(DbConfig config) throws SQLException {
        Properties props = config.driverProperties("data-execution-agent doctor", CONNECT_TIMEOUT_SECONDS);
        props.setProperty("user", config.user());
        props.setProperty("password", config.password());
        props.setProperty("loginTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        props.setProperty("socketTimeout", "30");
        Connection c = DriverManager.getConnection(config.jdbcUrl(), props);
        try {
            c.setAutoCommit(false);
            c.setReadOnly(true);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private static String serverVersion(Connection c) throws SQLException {
        String version = single(c, "SELECT current_setting('server_version')");
        // "15.19 (Debian 15.19-0+deb12u1)": the number is what an operator compares.
        int space = version.indexOf(' ');
        return space < 0 ? version : version.substring(0, space);
    }

    /** What the agent itself checks on every new connection: a privileged login is refused unless allowed. */
    private static Check login(Connection c, DbConfig config) throws SQLException {
        LoginPrivileges found = new LoginPrivileges(PostgreSqlSession.loginPrivileges(c, config.readOnlyRole()));
        String who = "'" + config.user() + "'";
        if (!found.privileged()) {
            return Check.ok(LOGIN, who + " is not a superuser, cannot bypass row security and is in none of the "
                    + "server-access roles (pg_read_server_files, pg_execute_server_program, ...)");
        }
        if (config.allowPrivilegedLogin()) {
            return Check.warn(LOGIN, who + " is privileged (" + found.describe() + "), accepted because "
                    + "DB_ALLOW_PRIVILEGED_LOGIN=true", READONLY_REMEDY + ", then unset DB_ALLOW_PRIVILEGED_LOGIN");
        }
        return Check.fail(LOGIN, who + " is privileged (" + found.describe() + "): the agent refuses to start with it",
                READONLY_REMEDY + " (or set DB_ALLOW_PRIVILEGED_LOGIN=true to accept the risk)");
    }

    /** The current identity's write rights in the searched schemas; {@code who} names it in the report. */
    private static Check rights(Connection c, DbConfig config, String who, String remedy) throws SQLException {
        if (Boolean.parseBoolean(single(c, "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user"))) {
            return Check.warn(RIGHTS, who + " is a superuser: it may read and write everything", remedy);
        }
        List<String> writes = writeRights(c, schemas(config));
        if (writes.isEmpty()) {
            return Check.ok(RIGHTS, who + " cannot write or create anything in " + String.join(", ", schemas(config)));
        }
        String listed = String.join("; ", writes.subList(0, Math.min(MAX_LISTED, writes.size())))
                + (writes.size() > MAX_LISTED ? " (and " + (writes.size() - MAX_LISTED) + " more)" : "");
        return Check.warn(RIGHTS, who + " may write: " + listed, remedy);
    }

    private static List<String> writeRights(Connection c, List<String> schemas) throws SQLException {
        List<String> out = new ArrayList<>();
        if (Boolean.parseBoolean(single(c, "SELECT has_database_privilege(current_database(), 'CREATE')::text"))) {
            out.add("CREATE on the database");
        }
        out.addAll(strings(c, """
                SELECT 'CREATE on schema ' || quote_ident(nspname) FROM pg_namespace
                 WHERE nspname = ANY (?) AND has_schema_privilege(oid, 'CREATE') ORDER BY nspname
                """, schemas));
        // Column grants count too: an UPDATE on one column is still a write.
        out.addAll(strings(c, """
                SELECT concat_ws(', ', CASE WHEN ins THEN 'INSERT' END, CASE WHEN upd THEN 'UPDATE' END,
                                 CASE WHEN del THEN 'DELETE' END, CASE WHEN trunc THEN 'TRUNCATE' END) || ' on ' || name
                  FROM (SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name,
                               has_any_column_privilege(c.oid, 'INSERT') AS ins, has_any_column_privilege(c.oid, 'UPDATE') AS upd,
                               has_table_privilege(c.oid, 'DELETE') AS del, has_table_privilege(c.oid, 'TRUNCATE') AS trunc
                          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = ANY (?) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')) t
                 WHERE ins OR upd OR del OR trunc
                 ORDER BY name
                """, schemas));
        return out;
    }

    private static List<String> strings(Connection c, String sql, List<String> schemas) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", schemas.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** The agent runs every transaction as this role (set_config('role', ..., true)); so does this check. */
    private static Check role(Connection c, DbConfig config, String role) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Check.fail(ROLE, "DB_READONLY_ROLE '" + role + "' does not exist",
                            "create it (see docs/readonly-role.sql) and GRANT it to " + config.user() + ", or unset DB_READONLY_ROLE");
                }
            }
        }
        c.rollback();
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('role', ?, true)")) {
            ps.setString(1, role);
            ps.executeQuery().close();
        } catch (SQLException e) {
            c.rollback();
            return Check.fail(ROLE, "'" + config.user() + "' may not switch to DB_READONLY_ROLE '" + role + "': " + firstLine(e),
                    "GRANT " + role + " TO " + config.user() + ", or unset DB_READONLY_ROLE");
        }
        try {
            Check asRole = rights(c, config, "the role '" + role + "'",
                    "revoke them from " + role + " (docs/readonly-role.sql shows the grants it needs)");
            return asRole.status() == Check.Status.OK
                    ? Check.ok(ROLE, "'" + config.user() + "' switches to '" + role + "', which cannot write or create anything")
                    : new Check(ROLE, asRole.status(), asRole.detail(), asRole.remedy());
        } finally {
            c.rollback();
        }
    }

    private static List<String> schemas(DbConfig config) {
        return Arrays.stream(config.searchPath().split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("no row from: " + sql);
            }
            return rs.getString(1);
        }
    }

    private static String where(DbConfig config) {
        return config.host() + ":" + config.port() + "/" + config.name() + " as '" + config.user() + "'";
    }

    private interface SqlCheck {
        Check run() throws SQLException;
    }

    /** A query that fails after connecting fails its own line, not the whole report. */
    private static Check guarded(Connection c, String name, SqlCheck check) {
        try {
            return check.run();
        } catch (SQLException e) {
            try {
                c.rollback();   // so the next check does not meet an aborted transaction
            } catch (SQLException ignored) {
                // the next check reports the connection's state itself
            }
            return Check.fail(name, "could not be checked: " + firstLine(e),
                    "make sure DB_USER may read the system catalogs (pg_roles, pg_class, pg_namespace)");
        }
    }

    private static String firstLine(SQLException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
