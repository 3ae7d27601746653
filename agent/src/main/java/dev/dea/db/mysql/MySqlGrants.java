package dev.dea.db.mysql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a MySQL/MariaDB login may do beyond reading, from its own {@code SHOW GRANTS}: ALL
 * PRIVILEGES anywhere, any global privilege other than the read-only ones (SUPER, FILE,
 * PROCESS, global INSERT/UPDATE/DELETE/CREATE/DROP..., each named), any write privilege on a
 * database, table or routine (INSERT on shop.*), GRANT OPTION, and PROXY. A statement that
 * slipped past the guard could use any of these, and MySQL has no read-only role to drop them
 * for the session as PostgreSQL's {@code DB_READONLY_ROLE} does.
 */
final class MySqlGrants {
    /** Global privileges that only read: holding them on *.* is still a least-privilege login. */
    private static final Set<String> READ_ONLY_GLOBAL = Set.of("USAGE", "SELECT", "SHOW VIEW", "SHOW DATABASES");
    private static final Pattern GRANT = Pattern.compile(
            "^GRANT (.+?) ON (.+?) TO .*?( WITH .*GRANT OPTION.*)?$", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    private MySqlGrants() {
    }

    /** Privileges that write or change something, wherever granted. */
    private static final Set<String> WRITES = Set.of("INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "INDEX",
            "CREATE VIEW", "CREATE ROUTINE", "ALTER ROUTINE", "EXECUTE", "TRIGGER", "EVENT", "REFERENCES", "LOCK TABLES",
            "CREATE TEMPORARY TABLES", "DELETE HISTORY", "FILE", "SUPER", "CREATE USER", "CREATE TABLESPACE", "RELOAD",
            "SHUTDOWN", "GRANT OPTION");

    static List<String> privileges(Connection c) throws SQLException {
        return privileged(showGrants(c));
    }

    static List<String> showGrants(Connection c) throws SQLException {
        List<String> grants = new ArrayList<>();
        String query = "SHOW GRANTS";
        if (!MySqlSession.isMariaDb(c.getMetaData().getDatabaseProductVersion())) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CURRENT_ROLE()")) {
                query = showGrantsSql(rs.next() ? rs.getString(1) : null);
            }
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                grants.add(rs.getString(1));
            }
        }
        return grants;
    }

    /**
     * MySQL 8's SHOW GRANTS lists an active role only as "GRANT `r`@`%` TO ...", not its
     * privileges; {@code USING} the session's roles (CURRENT_ROLE(): "`r`@`%`,`s`@`%`" or NONE)
     * expands them. MariaDB lists the active role's privileges by itself and has no USING.
     */
    static String showGrantsSql(String currentRoles) {
        if (currentRoles == null || currentRoles.isBlank() || currentRoles.equalsIgnoreCase("NONE")) {
            return "SHOW GRANTS";
        }
        return "SHOW GRANTS FOR CURRENT_USER() USING " + currentRoles;
    }

    /** "INSERT, UPDATE on shop.*", one entry per grant line that writes; ALL PRIVILEGES counts. */
    static List<String> writes(List<String> grants) {
        List<String> out = new ArrayList<>();
        for (String line : grants) {
            Matcher m = GRANT.matcher(line.strip());
            if (!m.matches() || m.group(1).strip().toUpperCase(Locale.ROOT).startsWith("PROXY")) {
                continue;
            }
            String on = m.group(2).strip().replace("`", "").replace("'", "");
            List<String> found = new ArrayList<>();
            for (String privilege : splitPrivileges(m.group(1).strip())) {
                String name = privilege.toUpperCase(Locale.ROOT);
                if (name.startsWith("ALL")) {
                    found.add("ALL PRIVILEGES");
                } else if (WRITES.contains(name)) {
                    found.add(name);
                }
            }
            if (m.group(3) != null) {
                found.add("GRANT OPTION");
            }
            if (!found.isEmpty()) {
                out.add(String.join(", ", found) + " on " + on);
            }
        }
        return out;
    }

    /**
     * Grants that let the login read the {@code mysql} system database ("SELECT on *.*",
     * "SELECT on mysql.user"): its grant tables hold every account's password hash. The guard
     * refuses those tables, but a login limited to the served databases does not depend on it.
     */
    static List<String> systemReads(List<String> grants) {
        Set<String> out = new LinkedHashSet<>();
        for (String line : grants) {
            Matcher m = GRANT.matcher(line.strip());
            if (!m.matches() || m.group(1).strip().toUpperCase(Locale.ROOT).startsWith("PROXY")) {
                continue;
            }
            String on = m.group(2).strip().replace("`", "").replace("'", "");
            String database = on.contains(".") ? on.substring(0, on.indexOf('.')) : on;
            if (!database.equals("*") && !database.equalsIgnoreCase("mysql")) {
                continue;
            }
            for (String privilege : splitPrivileges(m.group(1).strip())) {
                String name = privilege.toUpperCase(Locale.ROOT);
                if (name.equals("SELECT") || name.startsWith("ALL")) {
                    out.add(name + " on " + on);
                }
            }
        }
        return List.copyOf(out);
    }

    /** The privileged parts of {@code grants} (SHOW GRANTS lines), each once, in order of appearance. */
    static List<String> privileged(List<String> grants) {
        Set<String> out = new LinkedHashSet<>();
        for (String line : grants) {
            Matcher m = GRANT.matcher(line.strip());
            if (!m.matches()) {
                continue;   // a granted role ("GRANT `r` TO ..."): its privileges show on their own lines when active
            }
            String what = m.group(1).strip();
            String on = m.group(2).strip().replace("`", "").replace("'", "");
            boolean global = on.equals("*.*");
            if (what.toUpperCase(Locale.ROOT).startsWith("PROXY")) {
                out.add("PROXY");
                continue;
            }
            if (m.group(3) != null) {
                out.add("GRANT OPTION on " + on);
            }
            for (String privilege : splitPrivileges(what)) {
                String name = privilege.toUpperCase(Locale.ROOT);
                if (name.startsWith("ALL")) {
                    out.add("ALL PRIVILEGES on " + on);
                } else if (global ? !READ_ONLY_GLOBAL.contains(name) : WRITES.contains(name)) {
                    out.add(name + " on " + on);
                }
            }
        }
        return List.copyOf(out);
    }

    /** "SELECT, INSERT (a, b), UPDATE": the privilege names, column lists dropped. */
    private static List<String> splitPrivileges(String what) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        StringBuilder current = new StringBuilder();
        for (char ch : what.toCharArray()) {
            if (ch == '(') {
                depth++;
            } else if (ch == ')') {
                depth--;
            } else if (ch == ',' && depth == 0) {
                out.add(current.toString().strip());
                current.setLength(0);
            } else if (depth == 0) {
                current.append(ch);
            }
        }
        if (!current.toString().isBlank()) {
            out.add(current.toString().strip());
        }
        return out;
    }
}
