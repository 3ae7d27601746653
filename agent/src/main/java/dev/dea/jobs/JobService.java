package dev.dea.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.admission.Admission;
import dev.dea.config.JobsConfig;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorDetail;
import dev.dea.error.ErrorType;
import dev.dea.execute.ExecutionContext;
import dev.dea.execute.ExecutionRequest;
import dev.dea.execute.ExecutionService;
import dev.dea.execute.StepLimits;
import dev.dea.execute.StepProgress;
import dev.dea.profile.DistributionMode;
import dev.dea.sandbox.SandboxService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/**
 * Steps run as asynchronous jobs (docs/jobs.md): submitted, they run on the agent's job
 * threads through the same services as the synchronous routes, and can be watched (record,
 * event stream) and cancelled. At most {@code maxConcurrent} run and {@code queueSize} wait;
 * a submission beyond is refused with TOO_MANY_REQUESTS, like a synchronous call over its
 * limits. Records outlive the process ({@link JobStore}); those still queued or running at
 * start-up were cut off by a stop and become {@code interrupted}.
 */
public final class JobService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobService.class);
    /** Progress events of one job at most this often. */
    static final long PROGRESS_INTERVAL_MILLIS = 500;
    /** How long a cancel waits for the work to stop before it answers. */
    private static final long CANCEL_WAIT_MILLIS = 2_000;

    private final JobsConfig config;
    private final ExecutionService execution;
    private final TableProfiles profiles;
    private final SandboxService sandbox;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final JobStore store;
    private final JobIndex index;
    private final Map<String, Job> live = new ConcurrentHashMap<>();
    /** Finished jobs of {@link #live} whose final record could not be written yet ({@link #storeFinal}). */
    private final Set<String> unwritten = ConcurrentHashMap.newKeySet();
    private final JobStreams streams = new JobStreams();
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService timer;
    private volatile boolean closed;

    public JobService(JobsConfig config, Path dir, ExecutionService execution, TableProfiles profiles,
                      SandboxService sandbox, ObjectMapper mapper, Clock clock) {
        this.sandbox = requireNonNull(sandbox, "sandbox");
        this.config = requireNonNull(config, "config");
        this.execution = requireNonNull(execution, "execution");
        this.profiles = requireNonNull(profiles, "profiles");
        this.mapper = requireNonNull(mapper, "mapper");
        this.clock = requireNonNull(clock, "clock");
        this.store = new JobStore(dir, mapper);
        this.index = new JobIndex(config.retention(), config.maxRecords(), store);
        AtomicInteger n = new AtomicInteger();
        // Platform threads: an interrupt must not close a JDBC socket, which it would on a virtual thread.
        this.workers = new ThreadPoolExecutor(config.maxConcurrent(), config.maxConcurrent(), 60, TimeUnit.SECONDS,
                config.queueSize() == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(config.queueSize()), r -> {
            Thread t = new Thread(r, "job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.workers.allowCoreThreadTimeOut(true);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "job-heartbeat");
            t.setDaemon(true);
            return t;
        });
        JobRecovery.recover(store, index, clock.instant());
        long beat = config.heartbeat().toMillis();
        timer.scheduleAtFixedRate(streams::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
        timer.scheduleAtFixedRate(index::prune, 10, 10, TimeUnit.MINUTES);
        timer.scheduleWithFixedDelay(this::retryFinalRecords, 30, 30, TimeUnit.SECONDS);
    }

    /** Queues an execution as a job; {@code kind} names the route it came from. */
    public JobRecord submitExecution(String kind, ExecutionRequest request, ExecutionContext context) {
        requireNonNull(request, "request");
        // What the synchronous call refuses before any work is a 400 here too, not a failed job.
        StepLimits.codeText(request.code());
        JobRecord record = newRecord(kind, Optional.of(request.kind().language()), request.datasource(),
                Optional.empty(), context);
        return submit(record, progress -> execution.execute(request, context, progress),
                request.kind() == ExecutionRequest.Kind.PYTHON ? Optional.of(sandbox::abort) : Optional.empty());
    }

    /** {@code datasource}: the table's datasource, empty for the default one. */
    public JobRecord submitProfile(Optional<String> datasource, String table, DistributionMode mode,
                                   ExecutionContext context) {
        JobRecord record = newRecord("profile", Optional.empty(), datasource, Optional.of(table), context);
        return submit(record, progress -> profiles.profile(datasource, table, mode, progress), Optional.empty());
    }

    /** A page of the jobs, newest first, their live status; results only through {@link #get}. */
    public JobList.Page list(JobList.Query query) {
        java.util.Map<String, JobRecord> current = new java.util.HashMap<>();
        index.summaries().forEach(r -> current.put(r.jobId(), r));
        live.values().forEach(j -> current.put(j.id, j.record().withoutPayload()));
        return JobList.page(current.values(), query);
    }

    /** The job's record, live or from disk; NOT_FOUND otherwise. */
    public JobRecord get(String id) {
        Job job = live.get(id);
        if (job != null) {
            return job.record();
        }
        return store.read(id).map(JobStore.Stored::record).orElseThrow(() -> notFound(id));
    }

    /**
     * Cancels the job: a queued job never starts, a running one is stopped (its SQL statement
     * cancelled in the database, its sandbox killed). Answers the record once the work stopped,
     * or after {@link #CANCEL_WAIT_MILLIS}; a job that had already ended is answered as it is.
     */
    public JobRecord cancel(String id) {
        Job job = live.get(id);
        if (job == null) {
            return get(id);
        }
        job.requestCancel();
        if (job.future != null && workers.remove((Runnable) job.future)) {
            // It was still queued: its queue place is free now, and no thread will ever run it.
            finish(job, JobStatus.CANCELLED, Optional.empty(), Optional.empty());
            job.done.countDown();
        }
        try {
            if (!job.done.await(CANCEL_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                log.warn("Job {} did not stop within {} ms of its cancel; it is reported cancelled", id, CANCEL_WAIT_MILLIS);
                finish(job, JobStatus.CANCELLED, Optional.empty(), Optional.empty());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return job.record();
    }

    /**
     * Opens the event stream of a job: the events after {@code lastEventId} (0: all), then each
     * new one as it comes, until the final one. NOT_FOUND before anything is written.
     */
    /**
     * A stream of the job's events for {@code client} (its address), counted against
     * {@link JobStreams#MAX_STREAMS_PER_CLIENT} from now until it ends or is
     * {@linkplain Stream#abandon abandoned}.
     *
     * @throws AgentException NOT_FOUND for an unknown job, TOO_MANY_REQUESTS when the client holds
     *                        as many streams as it may
     */
    public Stream openStream(String id, long lastEventId, String client) {
        Job job = live.get(id);
        JobEvents events = job != null ? job.events : store.read(id).map(this::finishedEvents).orElseThrow(() -> notFound(id));
        return streams.open(events, lastEventId, client);
    }

    /** An event stream ready to write to a response body. */
    public interface Stream {
        /** Starts writing to {@code out}; {@code onEnd} runs once when the stream is over. */
        void start(OutputStream out, Runnable onEnd);

        /** For a stream that will not be started (the response failed first): it no longer counts. */
        void abandon();
    }

    private JobEvents finishedEvents(JobStore.Stored stored) {
        JobEvents events = new JobEvents(stored.events());
        events.end(stored.record().status().finalEvent(), json(stored.record()));
        return events;
    }

    private JobRecord newRecord(String kind, Optional<String> language, Optional<String> datasource,
                                Optional<String> table, ExecutionContext context) {
        requireNonNull(context, "context");
        return new JobRecord(UUID.randomUUID().toString(), JobStatus.QUEUED, kind, language, datasource, table,
                context.requestId(), clock.instant().toString(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    private JobRecord submit(JobRecord record, Job.Work work, Optional<Predicate<Thread>> sandboxAbort) {
        if (closed) {
            throw new AgentException(ErrorType.DB_UNAVAILABLE, "The agent is shutting down");
        }
        // Each such job keeps its result in memory until its record is written: their number is bounded here.
        if (unwritten.size() >= config.maxConcurrent()) {
            throw unwritable(unwritten.size() + " finished jobs are still waiting to have their records written");
        }
        Job job = new Job(record, new JobEvents(List.of()), work, sandboxAbort);
        // Registered and queued-event written first, so that the job is findable the moment it may run.
        live.put(job.id, job);
        job.events.append("queued", json(record));
        long size = store.write(record, job.events.history());
        if (size == 0) {
            // A job that can leave no record would end only in memory, and its end would likely not be written either.
            live.remove(job.id);
            throw unwritable("the job's record could not be written");
        }
        // Indexed before it may run: a job ending at once must not have its final entry replaced by this one.
        index.add(record, size);
        try {
            synchronized (job) {
                job.future = workers.submit(() -> run(job));
            }
        } catch (RejectedExecutionException e) {
            live.remove(job.id);
            index.remove(job.id);
            store.delete(job.id);
            throw Admission.rejection("job", "all " + config.maxConcurrent() + " job slots are busy and the job queue ("
                    + config.queueSize() + ") is full", 1);
        }
        log.info("Job {} queued ({} {}, request {})", job.id, record.kind(), record.language().orElse(""), record.requestId());
        return record;
    }

    private void run(Job job) {
        if (closed || !job.start(Thread.currentThread())) {
            if (!closed) {
                // Cancelled after a worker took it off the queue but before it started: cancel()
                // could not remove it from the queue and waits for this thread to say how it ended.
                finish(job, JobStatus.CANCELLED, Optional.empty(), Optional.empty());
            }
            job.done.countDown();
            return;
        }
        try {
            JobRecord started = job.record().started(clock.instant());
            job.record(started);
            job.events.append("started", json(started));
            store.write(started, job.events.history());
            Progress progress = new Progress(job);
            Object result = job.queries.run(() -> job.work.apply(progress));
            finish(job, JobStatus.SUCCEEDED, Optional.of(mapper.valueToTree(result)), Optional.empty());
        } catch (RuntimeException e) {
            if (job.cancelRequested()) {
                finish(job, JobStatus.CANCELLED, Optional.empty(), Optional.empty());
            } else {
                if (ErrorDetail.isInternal(e)) {
                    log.error("Internal error in job {} (request {}): {}", job.id, job.record().requestId(), e.getMessage(), e);
                }
                finish(job, JobStatus.FAILED, Optional.empty(), Optional.of(ErrorDetail.of(e, job.record().requestId())));
            }
        } finally {
            job.stop();
            job.done.countDown();
        }
    }

    /** The one way a job ends: its final record on disk, then its final event. Only the first call counts. */
    private void finish(Job job, JobStatus status, Optional<JsonNode> result, Optional<Map<String, Object>> error) {
        JobRecord done;
        synchronized (job) {
            if (job.record().status().finished()) {
                return;
            }
            done = job.record().finished(status, clock.instant(), result, error);
            job.record(done);
        }
        // Also while closing: close() skipped this job, seeing it finished, and left its record to us.
        storeFinal(job, done);
        job.events.end(status.finalEvent(), json(done));
        log.info("Job {} {}", job.id, status.wire());
    }

    /**
     * Writes a finished job's final record; until that succeeds (a full disk) the job stays in
     * memory, where {@link #get} finds its true state, and {@link #retryFinalRecords} tries again.
     * While {@code maxConcurrent} such jobs wait, {@link #submit} refuses new ones: those in
     * flight may still join them, but no more, so the results they hold in memory stay bounded.
     */
    private void storeFinal(Job job, JobRecord done) {
        long size = store.write(done, job.events.history());
        if (size > 0) {
            index.add(done, size);
            live.remove(job.id, job);
            unwritten.remove(job.id);
        } else {
            unwritten.add(job.id);
        }
    }

    private void retryFinalRecords() {
        for (String id : unwritten) {
            Job job = live.get(id);
            if (job == null) {
                unwritten.remove(id);
            } else {
                storeFinal(job, job.record());
            }
        }
    }

    private AgentException unwritable(String why) {
        return new AgentException(ErrorType.STORAGE_UNAVAILABLE, "No job can be queued: " + why
                + " (CACHE_DIR/jobs is full or not writable); retry once the disk has room");
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A job record is always serialisable", e);
        }
    }

    private static AgentException notFound(String id) {
        return AgentException.notFound("No job '" + (id.length() > 64 ? id.substring(0, 64) + "..." : id) + "'");
    }

    /** Rows fetched, as {@code progress} events at most every {@link #PROGRESS_INTERVAL_MILLIS}. */
    private final class Progress implements StepProgress {
        private final Job job;
        private long lastNanos = System.nanoTime();

        Progress(Job job) {
            this.job = job;
        }

        @Override
        public void rowsFetched(long rows) {
            long now = System.nanoTime();
            if (now - lastNanos >= PROGRESS_INTERVAL_MILLIS * 1_000_000) {
                lastNanos = now;
                job.events.append("progress", "{\"rows\":" + rows + "}");
            }
        }

        @Override
        public boolean wantsOutput() {
            return true;
        }

        /** A profile's passes, as {@code progress} events: {@code {"passes_done": k, "columns": n}}. */
        @Override
        public void profilePasses(int passesDone, int columns) {
            job.events.append("progress", "{\"passes_done\":" + passesDone + ",\"columns\":" + columns + "}");
        }

        /** Each printed line as a {@code stdout} or {@code stderr} event, as it was printed. */
        @Override
        public void output(String stream, String line) {
            job.events.append(stream, json(java.util.Map.of("text", line)));
        }
    }

    /**
     * Stops taking jobs; those still queued or running are recorded as {@code interrupted} (the
     * same as after a crash, found at the next start) and their streams end.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        for (Job job : live.values()) {
            JobRecord r;
            synchronized (job) {
                if (job.record().status().finished()) {
                    // It ended meanwhile and wrote its own final record.
                    continue;
                }
                r = job.record().finished(JobStatus.INTERRUPTED, clock.instant(), Optional.empty(),
                        Optional.of(JobRecovery.stoppedDetail(job.record(), "stopped")));
                job.record(r);
            }
            store.write(r, job.events.history());
            job.events.end(r.status().finalEvent(), json(r));
            job.requestCancel();
        }
        closed = true;
        workers.shutdownNow();
        timer.shutdownNow();
        streams.close();
    }
}
