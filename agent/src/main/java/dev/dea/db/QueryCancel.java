package dev.dea.db;

import dev.dea.db.session.SessionDialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;

/**
 * A way to stop, from another thread, the database work one thread is doing: while
 * {@link #run} runs, every {@link Database#readOnly} on that thread registers its connection
 * here, and {@link #cancel} asks the server to cancel the statement running on it
 * (PostgreSQL's CancelRequest, MySQL's KILL QUERY), so the server stops working, not only
 * the agent waiting. Thread-bound rather than passed along because a step (SQL, a profile's
 * several scans) reaches the database through layers that need not know.
 *
 * <p>Ordering: {@link #cancel} sets the flag, then cancels the registered connection;
 * {@link Database#readOnly} registers, then reads the flag. Either the work sees the flag or
 * the cancel sees the connection. One narrow window is left: a cancel that reaches the server
 * between the registration and the statement's arrival cancels nothing; the fetch loop's
 * {@link #check} then stops a result at its next rows, but a statement that returns no rows
 * for long runs until its statement timeout.
 */
public final class QueryCancel {
    private static final Logger log = LoggerFactory.getLogger(QueryCancel.class);
    private static final ThreadLocal<QueryCancel> CURRENT = new ThreadLocal<>();

    private volatile boolean cancelled;
    /** Guarded by this: a cancel must never reach a connection already handed back to the pool. */
    private Connection connection;
    private SessionDialect session;

    /** Runs {@code work} on this thread with this cancel in force. */
    public <T> T run(Supplier<T> work) {
        QueryCancel outer = CURRENT.get();
        CURRENT.set(this);
        try {
            return work.get();
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }

    public boolean cancelled() {
        return cancelled;
    }

    /** Stops the work: the statement running now is cancelled in the database, none other starts. */
    public synchronized void cancel() {
        cancelled = true;
        if (connection != null) {
            try {
                session.cancel(connection);
            } catch (SQLException e) {
                log.debug("Cancelling a running statement failed: {}", e.getMessage());
            }
        }
    }

    /** Throws if the current thread's work was cancelled; a no-op outside {@link #run}. */
    public static void check() {
        QueryCancel current = CURRENT.get();
        if (current != null && current.cancelled) {
            throw new CancellationException("cancelled");
        }
    }

    static void enter(Connection c, SessionDialect session) {
        QueryCancel current = CURRENT.get();
        if (current != null) {
            synchronized (current) {
                current.connection = c;
                current.session = session;
            }
            check();
        }
    }

    static void leave() {
        QueryCancel current = CURRENT.get();
        if (current != null) {
            synchronized (current) {
                current.connection = null;
            }
        }
    }
}
