package dev.dea.doctor;

import dev.dea.config.DbConfig;
import dev.dea.db.LoginPrivileges;
import dev.dea.db.mysql.MySqlSession;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * {@link DatabaseChecks} for MySQL and MariaDB: whether the server answers, whether the agent
 * would accept the login (its SHOW GRANTS, as the agent reads them on every connection), and
 * whether the login may write anything: the same lines, the same rule (a writing login is a
 * warning, a privileged one a failure unless DB_ALLOW_PRIVILEGED_LOGIN=true).
 */
final class MySqlDatabaseChecks {
    static final String READONLY_REMEDY = "create a SELECT-only login with docs/readonly-role-mysql.sql and set DB_USER to it";
    private static final int CONNECT_TIMEOUT_SECONDS = 5;
    private static final int MAX_LISTED = 5;

    private MySqlDatabaseChecks() {
    }

    static List<Check> run(DbConfig config) {
        List<Check> checks = new ArrayList<>();
        Connection c;
        try {
            Properties props = MySqlSession.driverProperties(config, "data-execution-agent doctor", CONNECT_TIMEOUT_SECONDS, 30);
            props.setProperty("user", config.user());
            props.setProperty("password", config.password());
            c = DriverManager.getConnection(MySqlSession.url(config), props);
        } catch (SQLException e) {
            checks.add(Check.fail(DatabaseChecks.DATABASE, "cannot connect to " + where(config) + ": " + firstLine(e),
                    "check DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD and DB_SSL_MODE, and that the server accepts "
                            + "connections from this host (bind-address, the login's host part)"));
            checks.add(Check.skip(DatabaseChecks.LOGIN, "the database is not reachable"));
            checks.add(Check.skip(DatabaseChecks.RIGHTS, "the database is not reachable"));
            return checks;
        }
        try (c) {
            checks.add(guarded(DatabaseChecks.DATABASE, () -> Check.ok(DatabaseChecks.DATABASE,
                    version(c) + " at " + where(config))));
            checks.add(guarded(DatabaseChecks.LOGIN, () -> login(c, config)));
            checks.add(guarded(DatabaseChecks.RIGHTS, () -> rights(c, config)));
        } catch (SQLException e) {
            // Closing a connection that answered every check is not a finding.
        }
        return checks;
    }

    private static String version(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT VERSION()")) {
            rs.next();
            String version = rs.getString(1);
            return (version.toLowerCase(java.util.Locale.ROOT).contains("mariadb") ? "MariaDB " : "MySQL ") + version;
        }
    }

    /** What the agent itself checks on every new connection: a privileged login is refused unless allowed. */
    private static Check login(Connection c, DbConfig config) throws SQLException {
        LoginPrivileges found = new LoginPrivileges(MySqlSession.loginPrivileges(c));
        String who = "'" + config.user() + "'";
        if (!found.privileged()) {
            return Check.ok(DatabaseChecks.LOGIN, who + " holds no ALL PRIVILEGES, no global write or admin privilege "
                    + "(SUPER, FILE, PROCESS, ...), no GRANT OPTION and no PROXY");
        }
        if (config.allowPrivilegedLogin()) {
            return Check.warn(DatabaseChecks.LOGIN, who + " is privileged (" + found.describe() + "), accepted because "
                    + "DB_ALLOW_PRIVILEGED_LOGIN=true", READONLY_REMEDY + ", then unset DB_ALLOW_PRIVILEGED_LOGIN");
        }
        return Check.fail(DatabaseChecks.LOGIN, who + " is privileged (" + found.describe() + "): the agent refuses to start with it",
                READONLY_REMEDY + " (or set DB_ALLOW_PRIVILEGED_LOGIN=true to accept the risk)");
    }

    private static Check rights(Connection c, DbConfig config) throws SQLException {
        List<String> writes = MySqlSession.writeGrants(c);
        List<String> systemReads = MySqlSession.systemReadGrants(c);
        String who = "'" + config.user() + "'";
        if (writes.isEmpty() && systemReads.isEmpty()) {
            return Check.ok(DatabaseChecks.RIGHTS, who + " cannot write or create anything");
        }
        // Reading the grant tables is a warning, not a failure: the guard refuses mysql.* whatever the grants.
        String reads = systemReads.isEmpty() ? "" : who + " may read the mysql system database, whose grant tables"
                + " hold every account's password hash (" + String.join("; ", systemReads) + "); the SQL guard refuses"
                + " those tables, but grant SELECT on the served databases only";
        if (writes.isEmpty()) {
            return Check.warn(DatabaseChecks.RIGHTS, reads, READONLY_REMEDY);
        }
        String listed = String.join("; ", writes.subList(0, Math.min(MAX_LISTED, writes.size())))
                + (writes.size() > MAX_LISTED ? " (and " + (writes.size() - MAX_LISTED) + " more)" : "");
        return Check.warn(DatabaseChecks.RIGHTS, who + " may write: " + listed + (reads.isEmpty() ? "" : "; " + reads),
                READONLY_REMEDY);
    }

    private interface SqlCheck {
        Check run() throws SQLException;
    }

    private static Check guarded(String name, SqlCheck check) {
        try {
            return check.run();
        } catch (SQLException e) {
            return Check.fail(name, "could not be checked: " + firstLine(e), "make sure DB_USER may run SHOW GRANTS");
        }
    }

    private static String where(DbConfig config) {
        return config.host() + ":" + config.port() + "/" + config.name() + " as '" + config.user() + "'";
    }

    private static String firstLine(SQLException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
