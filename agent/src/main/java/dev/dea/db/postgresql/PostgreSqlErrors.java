package dev.dea.db.postgresql;

import dev.dea.db.session.SessionDialect;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** PostgreSQL: maps pgjdbc's and the pool's exceptions onto the agent's error types; the caller's SQL mistakes stay 400s. */
final class PostgreSqlErrors {
    private PostgreSqlErrors() {
    }

    static AgentException translate(SQLException e, Duration statementTimeout) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = e.getMessage() == null ? "" : e.getMessage();
        // The driver's own limits on what it holds (SQL_RESULT_BUFFER, or the heap itself), not an
        // outage: it reports the first as a communication error and the second as 53200.
        if (message.contains("maxResultBuffer") || (state.equals("53200") && !(e instanceof PSQLException pe
                && pe.getServerErrorMessage() != null))) {
            return new AgentException(ErrorType.RESULT_TOO_LARGE, "A batch of fetched rows exceeded the agent's "
                    + "result buffer (SQL_RESULT_BUFFER): rows this large cannot be fetched; select fewer or "
                    + "smaller columns (" + firstLine(message) + ")", Map.of(), e);
        }
        if (e instanceof SQLTransientConnectionException || state.startsWith("08") || state.equals("57P01")
                || state.equals("57P02") || state.equals("57P03") || state.equals("53300")) {
            return new AgentException(ErrorType.DB_UNAVAILABLE,
                    "The database is unavailable: " + firstLine(e.getMessage()), Map.of(), e);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        if (!state.isEmpty()) {
            details.put("sqlstate", state);
        }
        if (e instanceof PSQLException pe && pe.getServerErrorMessage() != null) {
            ServerErrorMessage sem = pe.getServerErrorMessage();
            if (sem.getPosition() > 0) {
                details.put("position", sem.getPosition());
            }
            if (sem.getHint() != null) {
                details.put("hint", sem.getHint());
            }
            if (state.equals("57014")) {
                return new AgentException(ErrorType.TIMEOUT, "The statement exceeded the time limit of "
                        + statementTimeout.toSeconds() + " s and was cancelled", details, e);
            }
            if (state.equals("55P03")) {
                return new AgentException(ErrorType.TIMEOUT, "The statement waited too long for a lock: "
                        + sem.getMessage(), details, e);
            }
            return new AgentException(ErrorType.SQL_ERROR, sem.getMessage(), details, e);
        }
        if (state.equals("57014")) {
            return new AgentException(ErrorType.TIMEOUT, "The statement exceeded the time limit of "
                    + statementTimeout.toSeconds() + " s and was cancelled", details, e);
        }
        return new AgentException(ErrorType.SQL_ERROR, firstLine(e.getMessage()), details, e);
    }

    /**
     * A reason safe to show on the unauthenticated /health: a category, never the driver's
     * text, which can name internal hosts and users.
     */
    static String healthReason(SQLException e) {
        SQLException root = e;
        if (e.getCause() instanceof SQLException cause && e instanceof SQLTransientConnectionException) {
            root = cause;
        }
        String state = root.getSQLState() == null ? "" : root.getSQLState();
        return switch (state) {
            case "28000", "28P01" -> "authentication failed";
            case "3D000" -> "database does not exist";
            case "53300" -> "too many connections";
            case "57P03" -> "database is starting up or shutting down";
            default -> state.startsWith("08") || e instanceof SQLTransientConnectionException
                    ? "cannot connect to the database" : "database error (SQLSTATE " + (state.isEmpty() ? "unknown" : state) + ")";
        };
    }

    private static String firstLine(String message) {
        return SessionDialect.firstLine(message);
    }
}
