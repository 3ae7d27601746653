package dev.dea.db;

import dev.dea.db.session.SessionDialect;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What the database login (the session user) may do beyond reading what it was granted, as
 * its dialect sees it ({@link SessionDialect#privileges}): on PostgreSQL a superuser, bypassing
 * row security, or membership of a predefined role that reaches the server itself; on MySQL
 * ALL PRIVILEGES, global write/admin privileges, GRANT OPTION or PROXY. A statement that
 * slipped past the guard could use any of these, so the agent refuses such a login unless
 * DB_ALLOW_PRIVILEGED_LOGIN=true. Empty: a least-privilege login.
 */
public record LoginPrivileges(List<String> privileges) {
    public LoginPrivileges {
        privileges = List.copyOf(privileges);
    }

    public static LoginPrivileges read(SessionDialect session, Connection c) throws SQLException {
        return new LoginPrivileges(session.privileges(c));
    }

    public boolean privileged() {
        return !privileges.isEmpty();
    }

    /** "superuser, bypassrls": for messages, logs and /health (no user or host names). */
    public String describe() {
        return String.join(", ", privileges);
    }
}
