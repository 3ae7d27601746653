package dev.dea.db.mysql;

import dev.dea.db.session.SessionDialect;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * MySQL/MariaDB: maps MariaDB Connector/J's and the pool's exceptions onto the agent's error
 * types by the server's error code (MySQL's and MariaDB's numbers agree where both have one).
 */
final class MySqlErrors {
    /** MariaDB's max_statement_time (ER_STATEMENT_TIMEOUT). */
    static final int STATEMENT_TIMEOUT_MARIADB = 1969;
    /** MySQL's max_execution_time (ER_QUERY_TIMEOUT). */
    static final int STATEMENT_TIMEOUT_MYSQL = 3024;
    /** KILL QUERY, what a cancel sends (ER_QUERY_INTERRUPTED). */
    static final int QUERY_INTERRUPTED = 1317;
    /** innodb_lock_wait_timeout (ER_LOCK_WAIT_TIMEOUT). */
    static final int LOCK_WAIT_TIMEOUT = 1205;
    /** The server is going away or refusing sessions: shutdown in progress, too many connections, out of memory. */
    private static final Set<Integer> UNAVAILABLE = Set.of(1040, 1053, 1077, 1078, 1079, 1080, 1152, 1153, 1158,
            1159, 1160, 1161, 1184, 1203, 2002, 2003, 2006, 2013);
    /** "(conn=123) " before every server message: a connection id, not part of what the caller did wrong. */
    private static final Pattern CONNECTION_PREFIX = Pattern.compile("^\\(conn=\\d+\\)\\s*");

    private MySqlErrors() {
    }

    static AgentException translate(SQLException e, Duration statementTimeout) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        int code = e.getErrorCode();
        String message = message(e);
        if (e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException
                || state.startsWith("08") || UNAVAILABLE.contains(code)) {
            return new AgentException(ErrorType.DB_UNAVAILABLE, "The database is unavailable: " + message, Map.of(), e);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        if (!state.isEmpty()) {
            details.put("sqlstate", state);
        }
        if (code != 0) {
            details.put("error_code", code);
        }
        if (code == STATEMENT_TIMEOUT_MARIADB || code == STATEMENT_TIMEOUT_MYSQL || code == QUERY_INTERRUPTED) {
            return new AgentException(ErrorType.TIMEOUT, "The statement exceeded the time limit of "
                    + statementTimeout.toSeconds() + " s and was cancelled", details, e);
        }
        if (code == LOCK_WAIT_TIMEOUT) {
            return new AgentException(ErrorType.TIMEOUT, "The statement waited too long for a lock: " + message, details, e);
        }
        return new AgentException(ErrorType.SQL_ERROR, message, details, e);
    }

    /** A reason safe to show on the unauthenticated /health: a category, never the driver's text. */
    static String healthReason(SQLException e) {
        SQLException root = e;
        if (e.getCause() instanceof SQLException cause && e instanceof SQLTransientConnectionException) {
            root = cause;
        }
        return switch (root.getErrorCode()) {
            case 1045, 1698 -> "authentication failed";
            case 1049 -> "database does not exist";
            case 1040 -> "too many connections";
            case 1053 -> "database is shutting down";
            default -> {
                String state = root.getSQLState() == null ? "" : root.getSQLState();
                yield state.startsWith("08") || e instanceof SQLTransientConnectionException
                        || root instanceof SQLNonTransientConnectionException
                        ? "cannot connect to the database"
                        : "database error (code " + root.getErrorCode() + ", SQLSTATE " + (state.isEmpty() ? "unknown" : state) + ")";
            }
        };
    }

    private static String message(SQLException e) {
        return CONNECTION_PREFIX.matcher(SessionDialect.firstLine(e.getMessage())).replaceFirst("");
    }
}
