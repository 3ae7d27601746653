package dev.dea.jobs;

import dev.dea.db.QueryCancel;
import dev.dea.execute.StepProgress;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/** A job the agent knows in memory: queued or running, until its final record is on disk. */
final class Job {
    /** What the job runs; the result is what the synchronous call would answer. */
    @FunctionalInterface
    interface Work extends Function<StepProgress, Object> {
    }

    final String id;
    final JobEvents events;
    final Work work;
    /**
     * Python: kills the sandbox the worker thread runs a step in (false if it runs none yet);
     * otherwise the thread is interrupted (waiting for a sandbox slot, starting a container).
     * Empty for SQL and profiles, which a database cancel stops.
     */
    final Optional<Predicate<Thread>> sandboxAbort;
    final QueryCancel queries = new QueryCancel();
    final CountDownLatch done = new CountDownLatch(1);
    /**
     * Guards {@link #worker}, apart from the job's own lock: a cancel holds it while it reaches
     * the thread (a sandbox kill may be slow), and only the job's own thread waits for it then,
     * never the readers of {@link #record} or {@code finish}. Taken after the job's lock, never before.
     */
    private final Object binding = new Object();
    private JobRecord record;
    private Thread worker;
    private boolean cancelRequested;
    Future<?> future;

    Job(JobRecord record, JobEvents events, Work work, Optional<Predicate<Thread>> sandboxAbort) {
        this.record = requireNonNull(record, "record");
        this.id = record.jobId();
        this.events = requireNonNull(events, "events");
        this.work = requireNonNull(work, "work");
        this.sandboxAbort = requireNonNull(sandboxAbort, "sandboxAbort");
    }

    synchronized JobRecord record() {
        return record;
    }

    synchronized void record(JobRecord next) {
        record = next;
    }

    /** Binds the job to the running thread; false if it was cancelled first and must not start. */
    synchronized boolean start(Thread thread) {
        if (cancelRequested || record.status().finished()) {
            return false;
        }
        // Bound before the job's lock is let go: a cancel that set its flag after the check above finds the thread.
        synchronized (binding) {
            worker = thread;
        }
        return true;
    }

    /** Unbinds the thread; an interrupt meant for this job must not reach the pool's next task. */
    void stop() {
        synchronized (binding) {
            worker = null;
            Thread.interrupted();
        }
    }

    synchronized boolean cancelRequested() {
        return cancelRequested;
    }

    /**
     * Asks the running work to stop: its statement cancelled in the database, a sandbox's thread
     * interrupted. Only the flag is set under the job's lock: the database's cancel is a network
     * call (up to 10 s for PostgreSQL) and must not hold up the job's readers nor its end.
     */
    void requestCancel() {
        synchronized (this) {
            cancelRequested = true;
        }
        // The job's own: once the work left it, a cancel only sets its flag.
        queries.cancel();
        synchronized (binding) {
            // Under the binding: the thread must still run this job, not the pool's next one.
            if (worker != null && sandboxAbort.isPresent() && !sandboxAbort.get().test(worker)) {
                worker.interrupt();
            }
        }
    }
}
