package dev.dea.db;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * Database work running on a pooled connection of its own, on another thread, while the thread
 * that started it goes on with its own connection: MariaDB runs one statement on one core, so
 * two statements over halves of a table's columns take about half the time of one.
 * {@link #join} waits for the result; {@link #close} cancels the work in the database if it is
 * still running and waits for its connection to be back, so nothing outlives its caller.
 */
public final class Aside<T> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Aside.class);
    private static final long POLL_MILLIS = 50;
    private static final long CLOSE_WAIT_SECONDS = 10;
    private final QueryCancel cancel = new QueryCancel();
    private final CompletableFuture<T> result = new CompletableFuture<>();

    private Aside() {
    }

    static <T> Aside<T> start(Database db, SqlWork<T> work) {
        Aside<T> aside = new Aside<>();
        Thread.ofVirtual().name("dea-db-aside").start(() -> {
            try {
                aside.result.complete(aside.cancel.run(() -> db.readOnly(work)));
            } catch (Throwable t) {
                aside.result.completeExceptionally(t);
            }
        });
        return aside;
    }

    /**
     * Runs {@code ended} once the work has ended and its connection is back in the pool (at once
     * if it has), however it ended; returns this.
     */
    public Aside<T> whenEnded(Runnable ended) {
        requireNonNull(ended, "ended");
        result.whenComplete((value, failure) -> ended.run());
        return this;
    }

    /**
     * The work's result, or its failure as {@link Database#readOnly} reports it. While waiting,
     * a cancel of the calling thread's work ({@link QueryCancel}) cancels this work too.
     */
    public T join() {
        while (true) {
            try {
                return result.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                QueryCancel.check();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.util.concurrent.CancellationException("interrupted");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** Cancels the work if it still runs and waits (boundedly) until its connection is released. */
    @Override
    public void close() {
        if (!result.isDone()) {
            cancel.cancel();
        }
        try {
            result.handle((value, failure) -> null).get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Database work on a second connection did not end within {} s of its cancel", CLOSE_WAIT_SECONDS);
        }
    }
}
