package dev.dea.sql;

import java.nio.charset.StandardCharsets;

import dev.dea.error.AgentException;

/**
 * What every dialect's SQL guard offers the services: one statement in, the statement to
 * execute out, or a {@link dev.dea.error.SqlRejectedException} naming the rule broken. Each
 * dialect's rules live in its own implementation ({@link SqlGuard} for PostgreSQL,
 * {@code dev.dea.sql.mysql.MySqlGuard} for MySQL and MariaDB).
 */
public interface StatementGuard {

    /** Longer text is refused before any parsing, which bounds the work of every reader. */
    int MAX_SQL_BYTES = 1024 * 1024;

    /**
     * Returns the statement to execute (the text as received), or throws
     * {@link dev.dea.error.SqlRejectedException}, or a VALIDATION_ERROR for missing, blank or
     * oversized text. Thread-safe.
     */
    GuardedStatement check(String sql);

    /** The caller's mistakes every guard reports the same way, before reading the text. */
    static void requireText(String sql) {
        if (sql == null) {
            throw AgentException.validation("sql is required");
        }
        if (sql.isBlank()) {
            throw AgentException.validation("sql must not be blank");
        }
        // Every char is at least one UTF-8 byte, so the cheap test settles most cases.
        if (sql.length() > MAX_SQL_BYTES || sql.getBytes(StandardCharsets.UTF_8).length > MAX_SQL_BYTES) {
            throw AgentException.validation("sql must not be longer than " + MAX_SQL_BYTES + " bytes");
        }
    }
}
