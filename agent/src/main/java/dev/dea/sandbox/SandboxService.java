package dev.dea.sandbox;

import dev.dea.admission.Admission;
import dev.dea.cache.FrameCache;
import dev.dea.cache.FrameMeta;
import dev.dea.config.SandboxConfig;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static java.util.Objects.requireNonNull;

/**
 * Runs pandas code in one-use sandboxes of a {@link SandboxBackend} (Docker containers by
 * default, Kubernetes pods with SANDBOX_BACKEND=kubernetes): one hardened, network-less
 * runner per execution, used once and removed (success, error, timeout or shutdown).
 * This class owns what does not depend on where a runner runs: admission (slots, queue,
 * 429), the execution's time limit and cancellation, the runner protocol
 * ({@link RunnerExchange}) and the frame cache. Thread-safe; {@link #execute} blocks the caller.
 */
public final class SandboxService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SandboxService.class);
    /** A backend's start-up bound (Docker's; Kubernetes' default): how long a slot-holder may wait for a runner. */
    private static final Duration STARTUP_LIMIT = DockerSandboxes.STARTUP_LIMIT;

    private final SandboxConfig config;
    private final FrameCache cache;
    private final SandboxBackend backend;
    private final Admission admission;
    /** Per thread running a step: how to kill its sandbox (see {@link #abort}). */
    private final Map<Thread, Step> aborts = new ConcurrentHashMap<>();

    /** What a cancel or the time limit reaches of one step in flight. */
    private static final class Step {
        /** Why the step was ended early ("cancelled", "timeout"); null while it may go on. */
        final AtomicReference<String> expired = new AtomicReference<>();
        final AtomicReference<SandboxBackend.Sandbox> current = new AtomicReference<>();
        /** Past the admission wait: from here on a cancel must not interrupt the thread. */
        final AtomicBoolean admitted = new AtomicBoolean();
    }
    private final ScheduledThreadPoolExecutor watchdog;
    private final Set<SandboxBackend.Sandbox> active = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger removing = new AtomicInteger();
    private final ExecutorService remover;
    private final AtomicLong servedFromPool = new AtomicLong();
    private final AtomicLong servedCold = new AtomicLong();
    private final SharedProbe probe;
    private volatile Served lastServed;

    /** Which sandbox served the latest execution (tests). */
    record Served(String containerId, boolean fromPool, long readyAtNanos) {
    }

    /** Pool counters since start (tests, debugging); the Docker pool's own counters are 0 for other backends. */
    record PoolStats(int pooled, long launchedForPool, long servedFromPool, long servedCold, long replacedDead,
                     long recycledIdle) {
    }

    /** On the agent's Docker engine ({@link DockerSandboxes}). */
    public SandboxService(SandboxConfig config, FrameCache cache) {
        this(config, cache, new DockerSandboxes(config, cache.directory()));
    }

    SandboxService(SandboxConfig config, FrameCache cache, Duration poolMaxIdle) {
        this(config, cache, new DockerSandboxes(config, cache.directory(), poolMaxIdle));
    }

    /** On {@code backend}, which this service closes. */
    public SandboxService(SandboxConfig config, FrameCache cache, SandboxBackend backend) {
        this.config = requireNonNull(config, "config");
        this.cache = requireNonNull(cache, "cache");
        this.backend = requireNonNull(backend, "backend");
        this.probe = new SharedProbe(this.backend::probe, Duration.ofSeconds(1), Duration.ofSeconds(5));
        String shortId = backend.instanceId().substring(0, Math.min(8, backend.instanceId().length()));
        // A slot-holder may wait for its sandbox as long as an execution may take.
        this.admission = new Admission("sandbox", config.maxConcurrent(), config.queueSize(), config.timeout().plus(STARTUP_LIMIT));
        this.watchdog = Daemons.watchdog("sandbox-watchdog-" + shortId);
        this.remover = Daemons.single("sandbox-remover-" + shortId);
        log.info("Sandbox service {} ready: image {}, runtime {}, timeout {}, memory {} MB, cpus {}, {} slots + {} "
                + "queued, {} warm", backend.instanceId(), config.image(), backend.runtime(), config.timeout(),
                config.memoryMb(), config.cpus(), config.maxConcurrent(), config.queueSize(), config.poolSize());
    }

    /** The backend's instance id, the value of every sandbox's {@code dev.dea.sandbox.instance} label. */
    public String instanceId() {
        return backend.instanceId();
    }
    /**
     * Runs {@code job.code()} in a fresh container and caches its result frame.
     *
     * @throws AgentException EXECUTION_ERROR, TIMEOUT, MEMORY_LIMIT, RESULT_TOO_LARGE, NOT_FOUND (an input),
     *                        TOO_MANY_REQUESTS (over capacity) or SANDBOX_UNAVAILABLE (engine or image missing)
     */
    public SandboxOutcome execute(SandboxJob job) {
        requireNonNull(job, "job");
        requireOpen();
        int backlog = removing.get();
        if (backlog > maxRemovalBacklog()) {
            // Slots are freed before the removal: without this bound, code that keeps its container busy could
            // make the containers alive at once grow past the slots while the engine is slow to remove them.
            throw new AgentException(ErrorType.TOO_MANY_REQUESTS, "Too many concurrent sandbox requests: " + backlog
                    + " used sandbox containers are still being removed; retry after 5 s",
                    Map.of("retry_after_seconds", 5L), null);
        }
        // Registered before the wait for a slot, so that no moment of the step escapes a cancel.
        Step step = new Step();
        aborts.put(Thread.currentThread(), step);
        try {
            admission.acquire();
            long started = System.nanoTime();
            try {
                step.admitted.set(true);
                // Set before a cancel read 'admitted' as false (and interrupted us): never touch the pool then.
                if (step.expired.get() != null) {
                    throw new AgentException(ErrorType.EXECUTION_ERROR, "The step was " + step.expired.get()
                            + " before its sandbox started");
                }
                return run(job, step, started);
            } finally {
                admission.release((System.nanoTime() - started) / 1_000_000);
            }
        } finally {
            aborts.remove(Thread.currentThread());
        }
    }

    private SandboxOutcome run(SandboxJob job, Step step, long started) {
        List<RunnerExchange.Input> inputs = new ArrayList<>();
        try {
            // Inputs first: an unknown key is NOT_FOUND before a container is paid for. Open files stay
            // readable even if the frame is evicted meanwhile.
            for (Map.Entry<String, String> e : job.inputKeys().entrySet()) {
                FrameMeta meta = cache.get(e.getValue());
                inputs.add(new RunnerExchange.Input(e.getKey(), meta, cache.openData(meta.key())));
            }
            return runInContainer(job, step, inputs, started);
        } finally {
            for (RunnerExchange.Input input : inputs) {
                try {
                    input.data().close();
                } catch (IOException ignored) {
                    // read-only file
                }
            }
        }
    }

    /**
     * Ends the step that {@code runner} is executing, as its time limit would: its container is
     * killed, or, still starting, it fails once it has one. False if that thread runs no step, or
     * its step still waits for a slot: then the caller interrupts it (jobs/), which ends that wait.
     * Past the wait an interrupt would leave the container, since removing it needs the engine
     * calls that an interrupted thread cannot make, and would make the warm pool's checks fail.
     */
    public boolean abort(Thread runner) {
        Step step = aborts.get(runner);
        if (step == null) {
            return false;
        }
        expire(step.current, step.expired, "cancelled");
        return step.admitted.get();
    }

    private SandboxOutcome runInContainer(SandboxJob job, Step step, List<RunnerExchange.Input> inputs, long started) {
        AtomicReference<String> expired = step.expired;
        AtomicReference<SandboxBackend.Sandbox> current = step.current;
        // A cancel during a cold start ends the step once the sandbox is there.
        SandboxBackend.Sandbox sandbox = backend.acquire();
        probe.backendAnswered();
        current.set(sandbox);
        (sandbox.fromPool() ? servedFromPool : servedCold).incrementAndGet();
        active.add(sandbox);
        if (closed.get()) {
            // close() ran between taking and registering; it must not leak.
            sandbox.close();
        }
        lastServed = new Served(sandbox.id(), sandbox.fromPool(), sandbox.readyAtNanos());
        long taken = System.nanoTime();
        // The code's time limit starts with the execute message: a sandbox start is not the user's time.
        ScheduledFuture<?> timer = watchdog.schedule(() -> expire(current, expired, "timeout"),
                config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        List<String> parentKeys = inputs.stream().map(i -> i.meta().key()).toList();
        try {
            if (expired.get() != null) {
                throw new IOException("the step was " + expired.get() + " while its sandbox started");
            }
            RunnerExchange exchange = new RunnerExchange(job, cache, config.outputLimitBytes(), config.memoryMb() * (1L << 20),
                    new LineReader(sandbox.stdout(), RunnerExchange.maxLineBytes(config.outputLimitBytes())), sandbox.stdin());
            RunnerExchange.Result r = exchange.run(inputs, parentKeys);
            double elapsedMs = (System.nanoTime() - started) / 1e6;
            log.debug("Sandbox {} ({}) produced frame {} ({} rows) in {} ms: {} ms to a ready runner, {} ms exchange",
                    sandbox.id(), sandbox.fromPool() ? "pooled" : "cold",
                    r.frame().map(p -> p.meta().key()).orElse("none"), r.frame().map(p -> p.meta().rowCount()).orElse(0L),
                    Math.round(elapsedMs), (taken - started) / 1_000_000, (System.nanoTime() - taken) / 1_000_000);
            return new SandboxOutcome(r.frame(), r.stdout(), r.stderr(), r.stdoutTruncated(), r.stderrTruncated(),
                    r.artifacts(), elapsedMs);
        } catch (IOException | AgentException e) {
            List<FrameMeta> inputMetas = inputs.stream().map(RunnerExchange.Input::meta).toList();
            throw RunnerErrors.withInputSizes(diagnose(e, sandbox, expired.get()), inputMetas);
        } finally {
            // Only now, with the step finished (answered or diagnosed, every backend call bounded), may the
            // limit stop watching it. The removal never runs on the caller's path: the slot is freed at once
            // and a removal that cannot finish leaves the sandbox to the reap by label.
            // A cancel or a late timer from now on finds no sandbox: this one is removed below, once.
            current.set(null);
            timer.cancel(false);
            sandbox.abort("the step ended");
            removeLater(sandbox);
        }
    }

    /** Removes a used sandbox off the caller's path; inline if the service is closing. */
    private void removeLater(SandboxBackend.Sandbox sandbox) {
        removing.incrementAndGet();
        Runnable remove = () -> {
            try {
                sandbox.close();
                active.remove(sandbox);
            } finally {
                removing.decrementAndGet();
            }
        };
        try {
            remover.execute(remove);
        } catch (RejectedExecutionException e) {
            remove.run();
        }
    }

    /** Used containers that may still be waiting for their removal before new steps are refused. */
    private int maxRemovalBacklog() {
        return 2 * config.maxConcurrent() + Math.max(0, config.poolSize()) + 8;
    }

    private AgentException diagnose(Exception e, SandboxBackend.Sandbox sandbox, String expired) {
        if ("timeout".equals(expired)) {
            return RunnerErrors.timeout(config.timeout());
        }
        if ("cancelled".equals(expired)) {
            return new AgentException(ErrorType.EXECUTION_ERROR, "The step was cancelled");
        }
        if (closed.get()) {
            return new AgentException(ErrorType.SANDBOX_UNAVAILABLE, "The sandbox service is shutting down", Map.of(), e);
        }
        if (e instanceof AgentException agent) {
            return agent;
        }
        if (e instanceof RunnerExchange.ProtocolException || e instanceof LineReader.LineTooLongException) {
            // The runner (or code that reached its channel) is alive and talking nonsense: waiting for its exit
            // would only wait for the limit. The step ends now; the sandbox is killed in the background.
            log.info("Sandbox {} broke the runner protocol: {}", sandbox.id(), e.getMessage());
            return RunnerErrors.protocolViolation(e.getMessage(), sandbox.id());
        }
        return sandbox.diagnose("the runner's output ended (" + e.getMessage() + ")");
    }

    private void expire(AtomicReference<SandboxBackend.Sandbox> current, AtomicReference<String> expired, String why) {
        if (expired.compareAndSet(null, why)) {
            SandboxBackend.Sandbox sandbox = current.get();
            if (sandbox == null) {
                return;   // still starting: the step checks the flag once it has its sandbox
            }
            log.info("Sandbox {} hit its {} limit; killing it", sandbox.id(), why);
            sandbox.abort(why);
            // Not inline: the watchdog is one thread serving every step's limit, and a removal may be slow.
            removeLater(sandbox);
        }
    }

    /**
     * Backend state, as probed within the last second (an engine or API server may have come
     * back); concurrent callers share one probe and wait for it at most 5 s.
     */
    public SandboxStatus status() {
        SandboxBackend.Probe probe = this.probe.get();
        return new SandboxStatus(probe.reachable(), probe.reachable() && probe.reason().isEmpty(), backend.runtime(),
                admission.running(), admission.queued(), backend.pooled(), probe.packages(), probe.reason());
    }

    /** Slots in use, the wait queue and the warm pool, from memory only (metrics read it at every scrape). */
    public SandboxLoad load() {
        return new SandboxLoad(admission.running(), admission.queued(), backend.pooled(), servedFromPool.get(),
                servedCold.get());
    }

    /** Stops accepting work, removes every sandbox this instance created, closes the backend. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Used sandboxes already ended; let their removals finish before the backend's sweep and close.
        Daemons.stop(remover, watchdog);
        int left = active.size();
        for (SandboxBackend.Sandbox s : active) {
            s.close();
        }
        backend.close();
        log.info("Sandbox service {} closed ({} active sandboxes removed)", backend.instanceId(), left);
    }

    Served lastServed() {
        return lastServed;
    }

    PoolStats poolStats() {
        WarmPool pool = backend instanceof DockerSandboxes docker ? docker.pool() : null;
        return new PoolStats(backend.pooled(), pool == null ? 0 : pool.launched(), servedFromPool.get(),
                servedCold.get(), pool == null ? 0 : pool.replacedDead(), pool == null ? 0 : pool.recycledIdle());
    }

    /** Whether the Docker backend has a removal to retry (tests' diagnoses). */
    boolean reapPending() {
        return backend instanceof DockerSandboxes docker && docker.reapPending();
    }

    /** Ids of the idle pooled containers of the Docker backend (tests). */
    List<String> pooledIds() {
        return backend instanceof DockerSandboxes docker ? docker.pool().ids() : List.of();
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new AgentException(ErrorType.SANDBOX_UNAVAILABLE, "The sandbox service is closed", Map.of(), null);
        }
    }
}
