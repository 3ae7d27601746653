package dev.dea.profile.postgresql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.Optional;

/**
 * Lets a profile survive a statistic PostgreSQL refuses for one column (an operator a type
 * lacks, a float overflow in an average): the statement runs under a savepoint, and an error
 * about the statement itself rolls back to it and is returned for the caller to retry narrower.
 * Timeouts, lost connections and exhausted resources are rethrown: retrying those makes things worse.
 */
final class Savepoints {
    private Savepoints() {
    }

    @FunctionalInterface
    interface Statement {
        void run() throws SQLException;
    }

    static Optional<SQLException> attempt(Connection c, Statement statement) throws SQLException {
        Savepoint savepoint = c.setSavepoint();
        try {
            statement.run();
            c.releaseSavepoint(savepoint);
            return Optional.empty();
        } catch (SQLException e) {
            if (!recoverable(e)) {
                throw e;
            }
            c.rollback(savepoint);
            return Optional.of(e);
        }
    }

    static boolean recoverable(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        // 57: cancelled or shut down (statement timeout), 08: connection, 53: out of memory/disk, 55P03: lock timeout.
        return !(state.isEmpty() || state.startsWith("57") || state.startsWith("08") || state.startsWith("53")
                || state.equals("55P03"));
    }

    /** The first line of the server's message, for a column note. */
    static String reason(SQLException e) {
        String m = e.getMessage() == null ? "unknown error" : e.getMessage();
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        return m.startsWith("ERROR: ") ? m.substring(7) : m;
    }
}
