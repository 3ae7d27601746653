package dev.dea.db;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What the database login (the session user) may do beyond reading what it was granted: be a
 * superuser, bypass row security, or belong, directly or through other roles, to a predefined
 * role that reaches the server itself (files, programs, other sessions, every setting and
 * statistic). A statement that slipped past the guard could use any of these, so the agent
 * refuses such a login unless DB_ALLOW_PRIVILEGED_LOGIN=true. Empty: a least-privilege login.
 */
public record LoginPrivileges(List<String> privileges) {
    /** The predefined roles that give access beyond the granted tables. */
    static final List<String> SERVER_ROLES = List.of("pg_execute_server_program", "pg_read_all_settings",
            "pg_read_all_stats", "pg_read_server_files", "pg_signal_backend", "pg_write_server_files");

    // pg_has_role(..., 'MEMBER') follows memberships through other roles, with or without INHERIT.
    // A superuser is a member of every role, so its memberships say nothing more.
    private static final String QUERY = "SELECT r.rolsuper, r.rolbypassrls, ARRAY(SELECT p.rolname::text FROM pg_roles p"
            + " WHERE p.rolname IN ('" + String.join("', '", SERVER_ROLES) + "')"
            + " AND NOT r.rolsuper AND pg_has_role(r.oid, p.oid, 'MEMBER') ORDER BY p.rolname)"
            + " FROM pg_roles r WHERE r.rolname = session_user";

    public LoginPrivileges {
        privileges = List.copyOf(privileges);
    }

    public static LoginPrivileges read(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(QUERY)) {
            if (!rs.next()) {
                throw new SQLException("the session user is not in pg_roles");
            }
            List<String> out = new ArrayList<>();
            if (rs.getBoolean(1)) {
                out.add("superuser");
            }
            if (rs.getBoolean(2)) {
                out.add("bypassrls");
            }
            Array roles = rs.getArray(3);
            for (Object role : (Object[]) roles.getArray()) {
                out.add("member of " + role);
            }
            return new LoginPrivileges(out);
        }
    }

    public boolean privileged() {
        return !privileges.isEmpty();
    }

    /** "superuser, bypassrls": for messages, logs and /health (no user or host names). */
    public String describe() {
        return String.join(", ", privileges);
    }
}
