package dev.dea.sandbox;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import dev.dea.cache.FrameCache;
import dev.dea.cache.FrameMeta;
import dev.dea.admission.Admission;
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
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * Runs pandas code in one-off Docker containers: one hardened, network-less container
 * per execution, used once and removed (success, error, timeout or shutdown). Every
 * container carries this instance's label, so {@link #close()} and a later agent's start
 * can find and reap what was left behind. Thread-safe; {@link #execute} blocks the caller.
 *
 * <p>With {@code poolSize > 0} a {@link WarmPool} keeps that many containers started and
 * ready ahead of requests. They are the same one-use containers, only started earlier:
 * each serves one execution and is removed, so no state (files, memory, processes) ever
 * passes from one execution to the next.
 */
public final class SandboxService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SandboxService.class);
    /** Services alive in this JVM: their containers are not leftovers (tests run several). */
    private static final Set<String> LIVE_INSTANCES = ConcurrentHashMap.newKeySet();
    /** Container start plus importing pandas; generous for gVisor on a loaded host. */
    private static final Duration STARTUP_LIMIT = Duration.ofSeconds(60);
    private static final long ATTACH_TIMEOUT_MILLIS = 15_000;
    /** How often an engine marked unreachable is pinged to notice its return. */
    private static final Duration HEALTH_PROBE = Duration.ofSeconds(2);

    private final SandboxConfig config;
    private final FrameCache cache;
    private final SqlCallback sql;
    private final String instanceId = UUID.randomUUID().toString();
    private final DockerEngine engine;
    private final Admission admission;
    /** Per thread running a step in a container: how to kill it (see {@link #abort}). */
    private final Map<Thread, Runnable> aborts = new java.util.concurrent.ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor watchdog;
    private final Set<SandboxContainer> active = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean reaped = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean reapWarned = new AtomicBoolean();
    private final AtomicBoolean probing = new AtomicBoolean();
    private final AtomicInteger removing = new AtomicInteger();
    private final ExecutorService remover;
    private final WarmPool pool;
    private final AtomicLong servedFromPool = new AtomicLong();
    private final AtomicLong servedCold = new AtomicLong();
    private volatile Served lastServed;

    /** Which container served the latest execution (tests). */
    record Served(String containerId, boolean fromPool, long readyAtNanos) {
    }

    /** Pool counters since start (tests, debugging). */
    record PoolStats(int pooled, long launchedForPool, long servedFromPool, long servedCold, long replacedDead,
                     long recycledIdle) {
    }

    public SandboxService(SandboxConfig config, FrameCache cache, SqlCallback sql) {
        this(config, cache, sql, WarmPool.MAX_IDLE);
    }

    SandboxService(SandboxConfig config, FrameCache cache, SqlCallback sql, Duration poolMaxIdle) {
        this.config = requireNonNull(config, "config");
        this.cache = requireNonNull(cache, "cache");
        this.sql = requireNonNull(sql, "sql");
        this.engine = new DockerEngine(config, instanceId, DockerEngine.ownerOf(cache.directory()));
        // A slot-holder may wait for its container as long as an execution may take.
        this.admission = new Admission("sandbox", config.maxConcurrent(), config.queueSize(), config.timeout().plus(STARTUP_LIMIT));
        this.watchdog = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sandbox-watchdog-" + instanceId.substring(0, 8));
            t.setDaemon(true);
            return t;
        });
        watchdog.setRemoveOnCancelPolicy(true);
        this.remover = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sandbox-remover-" + instanceId.substring(0, 8));
            t.setDaemon(true);
            return t;
        });
        LIVE_INSTANCES.add(instanceId);
        reapLeftovers();
        // An engine restart leaves exited containers whose removal failed while it was down: reap them as soon
        // as it answers again, not only at the agent's next start.
        engine.onReachableAgain(() -> {
            try {
                remover.execute(this::reapLeftovers);
            } catch (RejectedExecutionException e) {
                // closing: close() sweeps by label
            }
        });
        // Notices the return without traffic (pool off, no requests): a ping while the engine is marked down.
        watchdog.scheduleWithFixedDelay(() -> {
            if (engine.unreachable() && !closed.get() && probing.compareAndSet(false, true)) {
                remover.execute(() -> {
                    try {
                        engine.ping();
                    } finally {
                        probing.set(false);
                    }
                });
            }
        }, HEALTH_PROBE.toMillis(), HEALTH_PROBE.toMillis(), TimeUnit.MILLISECONDS);
        // After the reap: the pool's containers carry our live label and must not race with it.
        this.pool = new WarmPool(Math.max(0, config.poolSize()), poolMaxIdle, instanceId.substring(0, 8),
                this::launchReady, id -> Boolean.TRUE.equals(engine.state(id).getRunning()), this::removeLater);
        log.info("Sandbox service {} ready: image {}, runtime {}, timeout {}, memory {} MB, cpus {}, {} slots + {} "
                + "queued, {} warm (recycled after {} idle)",
                instanceId, config.image(), engine.runtimeName(), config.timeout(), config.memoryMb(), config.cpus(),
                config.maxConcurrent(), config.queueSize(), config.poolSize(), poolMaxIdle);
    }

    /** This service's id, the value of every container's {@code dev.dea.sandbox.instance} label. */
    public String instanceId() {
        return instanceId;
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
        admission.acquire();
        long started = System.nanoTime();
        try {
            return run(job, started);
        } finally {
            admission.release((System.nanoTime() - started) / 1_000_000);
        }
    }

    private SandboxOutcome run(SandboxJob job, long started) {
        List<RunnerExchange.Input> inputs = new ArrayList<>();
        try {
            // Inputs first: an unknown key is NOT_FOUND before a container is paid for. Open files stay
            // readable even if the frame is evicted meanwhile.
            for (Map.Entry<String, String> e : job.inputKeys().entrySet()) {
                FrameMeta meta = cache.get(e.getValue());
                inputs.add(new RunnerExchange.Input(e.getKey(), meta, cache.openRows(meta.key())));
            }
            return runInContainer(job, inputs, started);
        } finally {
            for (RunnerExchange.Input input : inputs) {
                try {
                    input.rows().close();
                } catch (IOException ignored) {
                    // read-only file
                }
            }
        }
    }

    /**
     * Kills the container of the step that {@code runner} is executing, as its time limit
     * would, and so ends that step with an error; false if that thread runs no step in a
     * container now. For cancelling a job (jobs/); an interrupt would leave the container,
     * since removing it needs the engine calls that an interrupted thread cannot make.
     */
    public boolean abort(Thread runner) {
        Runnable abort = aborts.get(runner);
        if (abort == null) {
            return false;
        }
        abort.run();
        return true;
    }

    private SandboxOutcome runInContainer(SandboxJob job, List<RunnerExchange.Input> inputs, long started) {
        Optional<SandboxContainer> warm = pool.take();
        SandboxContainer container = warm.isPresent() ? warm.get() : launchReady();
        (warm.isPresent() ? servedFromPool : servedCold).incrementAndGet();
        active.add(container);
        if (closed.get()) {
            // close() ran between taking and registering; it must not leak.
            container.close();
        }
        lastServed = new Served(container.id(), warm.isPresent(), container.readyAtNanos());
        long taken = System.nanoTime();
        AtomicReference<String> expired = new AtomicReference<>();
        // The code's time limit starts with the execute message: a container start is not the user's time.
        ScheduledFuture<?> timer = watchdog.schedule(() -> expire(container, expired, "timeout"),
                config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        aborts.put(Thread.currentThread(), () -> expire(container, expired, "cancelled"));
        List<String> parentKeys = inputs.stream().map(i -> i.meta().key()).toList();
        RunnerExchange exchange = new RunnerExchange(job, cache, sql, config.outputLimitBytes(), container.lines(),
                container.stdin());
        try {
            RunnerExchange.Result r = exchange.run(inputs, parentKeys);
            double elapsedMs = (System.nanoTime() - started) / 1e6;
            log.debug("Sandbox {} ({}) produced frame {} ({} rows) in {} ms: {} ms to a ready runner, {} ms exchange",
                    container.shortId(), warm.isPresent() ? "pooled" : "cold",
                    r.frame().map(FrameMeta::key).orElse("none"), r.frame().map(FrameMeta::rowCount).orElse(0L),
                    Math.round(elapsedMs), (taken - started) / 1_000_000, (System.nanoTime() - taken) / 1_000_000);
            return new SandboxOutcome(r.frame(), r.stdout(), r.stderr(), r.stdoutTruncated(), r.stderrTruncated(),
                    r.artifacts(), elapsedMs);
        } catch (IOException | AgentException e) {
            throw diagnose(e, container, expired.get());
        } finally {
            // Only now, with the step finished (answered or diagnosed, every engine call bounded), may the
            // limit stop watching it. The removal never runs on the caller's path: the slot is freed at once
            // and a removal that cannot finish leaves the container to the reap by label.
            aborts.remove(Thread.currentThread());
            timer.cancel(false);
            container.abortStreams("the step ended");
            removeLater(container);
        }
    }

    /**
     * Creates, attaches and starts a container and reads the runner's ready line, within
     * {@link #STARTUP_LIMIT}. Used by requests when the pool is empty and by the pool's refill.
     */
    private SandboxContainer launchReady() {
        if (!reaped.get()) {
            reapLeftovers();
        }
        long t0 = System.nanoTime();
        SandboxContainer container = SandboxContainer.launch(engine, ATTACH_TIMEOUT_MILLIS);
        if (closed.get()) {
            container.close();
            throw DockerEngine.unavailable("The sandbox service is shutting down", null);
        }
        AtomicReference<String> expired = new AtomicReference<>();
        ScheduledFuture<?> timer = watchdog.schedule(() -> expire(container, expired, "startup"),
                STARTUP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        aborts.put(Thread.currentThread(), () -> expire(container, expired, "cancelled"));
        try {
            container.awaitReady();
            log.debug("Sandbox {} ready after {} ms", container.shortId(), (System.nanoTime() - t0) / 1_000_000);
            return container;
        } catch (IOException e) {
            AgentException failure = diagnose(e, container, expired.get());
            container.abortStreams("the start failed");
            removeLater(container);
            throw failure;
        } finally {
            aborts.remove(Thread.currentThread());
            timer.cancel(false);
        }
    }

    /** Removes a container off the caller's path; inline if the service is closing. */
    private void removeLater(SandboxContainer container) {
        removing.incrementAndGet();
        Runnable remove = () -> {
            try {
                container.close();
                active.remove(container);
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

    private AgentException diagnose(Exception e, SandboxContainer container, String expired) {
        if ("timeout".equals(expired)) {
            return RunnerErrors.timeout(config.timeout());
        }
        if ("cancelled".equals(expired)) {
            return new AgentException(ErrorType.EXECUTION_ERROR, "The step was cancelled");
        }
        if ("startup".equals(expired)) {
            return DockerEngine.unavailable("The sandbox runner did not start within " + STARTUP_LIMIT.toSeconds()
                    + " s (container " + container.shortId() + "); is the Docker engine overloaded?", e);
        }
        if (closed.get()) {
            return DockerEngine.unavailable("The sandbox service is shutting down", e);
        }
        if (e instanceof AgentException agent) {
            return agent;
        }
        if (e instanceof RunnerExchange.ProtocolException || e instanceof LineReader.LineTooLongException) {
            // The runner (or code that reached its channel) is alive and talking nonsense: waiting for its exit
            // would only wait for the limit. The step ends now; the container is killed in the background.
            log.info("Sandbox {} broke the runner protocol: {}", container.shortId(), e.getMessage());
            return RunnerErrors.protocolViolation(e.getMessage(), container.shortId());
        }
        String what = "the runner's output ended (" + e.getMessage() + ")";
        Optional<InspectContainerResponse.ContainerState> state = container.finalState(3_000);
        if (state.isEmpty() && engine.unreachable()) {
            // The engine went away under the step (a restart, a crash): not the code's fault.
            log.info("Sandbox {} lost its engine: {}", container.shortId(), e.getMessage());
            return DockerEngine.unavailable("The Docker engine at " + engine.host() + " went away while the code ran ("
                    + what + "); retry once it is back", e);
        }
        AgentException died = RunnerErrors.died(state, what, container.stderrTail(), config.memoryMb(),
                container.shortId());
        log.info("Sandbox {} failed: {}", container.shortId(), died.getMessage());
        return died;
    }

    private void expire(SandboxContainer container, AtomicReference<String> expired, String why) {
        if (expired.compareAndSet(null, why)) {
            log.info("Sandbox {} hit its {} limit; killing it", container.shortId(), why);
            container.abortStreams(why);
            // Not inline: the watchdog is one thread serving every step's limit, and a removal may be slow.
            removeLater(container);
        }
    }

    /** Engine and image state, checked now (not cached: the engine may have come back). */
    public SandboxStatus status() {
        Optional<String> engineProblem = engine.ping();
        boolean image = false;
        Map<String, String> packages = Map.of();
        Optional<String> reason = engineProblem;
        if (engineProblem.isEmpty()) {
            try {
                Optional<Map<String, String>> labels = engine.imageLabels();
                image = labels.isPresent();
                if (!image) {
                    reason = Optional.of(engine.imageMissing().getMessage());
                } else {
                    packages = SandboxStatus.parsePackages(labels.get().get(SandboxStatus.PACKAGES_LABEL));
                }
            } catch (RuntimeException e) {
                reason = Optional.of(e.getMessage());
            }
        }
        return new SandboxStatus(engineProblem.isEmpty(), image, engine.runtimeName(), admission.running(),
                admission.queued(), pool.pooled(), packages, reason);
    }

    /** Slots in use, the wait queue and the warm pool, from memory only (metrics read it at every scrape). */
    public SandboxLoad load() {
        return new SandboxLoad(admission.running(), admission.queued(), pool.pooled());
    }

    /** Stops accepting work, removes every container this instance created. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        pool.close();
        remover.shutdown();
        try {
            // Used containers already exited; let their removals finish before the sweep and the client close.
            remover.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watchdog.shutdownNow();
        for (SandboxContainer c : active) {
            c.close();
        }
        int swept = 0;
        try {
            // Containers created but not yet registered (a launch racing with close) are found by label.
            for (Container c : engine.listLabelled()) {
                if (c.getLabels() != null && instanceId.equals(c.getLabels().get(DockerEngine.INSTANCE_LABEL))
                        && engine.remove(c.getId())) {
                    swept++;
                }
            }
        } catch (RuntimeException e) {
            log.warn("Could not sweep the sandbox containers of {}: {}", instanceId, e.getMessage());
        }
        LIVE_INSTANCES.remove(instanceId);
        engine.close();
        log.info("Sandbox service {} closed ({} active containers removed, {} swept by label)", instanceId,
                active.size(), swept);
    }

    Served lastServed() {
        return lastServed;
    }

    PoolStats poolStats() {
        return new PoolStats(pool.pooled(), pool.launched(), servedFromPool.get(), servedCold.get(),
                pool.replacedDead(), pool.recycledIdle());
    }

    /** Ids of the idle pooled containers (tests). */
    List<String> pooledIds() {
        return pool.ids();
    }

    private void reapLeftovers() {
        try {
            int removed = engine.reapLeftovers(Set.copyOf(LIVE_INSTANCES));
            reaped.set(true);
            if (removed > 0) {
                log.info("Removed {} leftover sandbox containers (of an earlier agent, or given up while the engine "
                        + "was away)", removed);
            } else {
                log.debug("No leftover sandbox containers");
            }
        } catch (RuntimeException e) {
            // Not fatal: the agent starts without Docker and reports it in status(); retried before the next
            // container start (the pool retries with backoff, hence warned about once).
            if (reapWarned.compareAndSet(false, true)) {
                log.warn("Could not look for leftover sandbox containers: {}", e.getMessage());
            } else {
                log.debug("Could not look for leftover sandbox containers: {}", e.getMessage());
            }
        }
    }

    private void requireOpen() {
        if (closed.get()) {
            throw DockerEngine.unavailable("The sandbox service is closed", null);
        }
    }
}
