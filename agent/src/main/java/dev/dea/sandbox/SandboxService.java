package dev.dea.sandbox;

import com.github.dockerjava.api.model.Container;
import dev.dea.cache.FrameCache;
import dev.dea.cache.FrameMeta;
import dev.dea.config.SandboxConfig;
import dev.dea.error.AgentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static java.util.Objects.requireNonNull;

/**
 * Runs pandas code in one-off Docker containers: one hardened, network-less container
 * per execution, used once and removed (success, error, timeout or shutdown). Every
 * container carries this instance's label, so {@link #close()} and a later agent's start
 * can find and reap what was left behind. Thread-safe; {@link #execute} blocks the caller.
 */
public final class SandboxService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SandboxService.class);
    /** Services alive in this JVM: their containers are not leftovers (tests run several). */
    private static final Set<String> LIVE_INSTANCES = ConcurrentHashMap.newKeySet();
    /** Container start plus importing pandas; generous for gVisor on a loaded host. */
    private static final Duration STARTUP_LIMIT = Duration.ofSeconds(60);
    private static final long ATTACH_TIMEOUT_MILLIS = 15_000;

    private final SandboxConfig config;
    private final FrameCache cache;
    private final SqlCallback sql;
    private final String instanceId = UUID.randomUUID().toString();
    private final DockerEngine engine;
    private final Admission admission;
    private final ScheduledThreadPoolExecutor watchdog;
    private final Set<SandboxContainer> active = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean reaped = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    public SandboxService(SandboxConfig config, FrameCache cache, SqlCallback sql) {
        this.config = requireNonNull(config, "config");
        this.cache = requireNonNull(cache, "cache");
        this.sql = requireNonNull(sql, "sql");
        this.engine = new DockerEngine(config, instanceId);
        // A slot-holder may wait for its container as long as an execution may take.
        this.admission = new Admission(config.maxConcurrent(), config.queueSize(), config.timeout().plus(STARTUP_LIMIT));
        this.watchdog = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sandbox-watchdog-" + instanceId.substring(0, 8));
            t.setDaemon(true);
            return t;
        });
        watchdog.setRemoveOnCancelPolicy(true);
        LIVE_INSTANCES.add(instanceId);
        reapLeftovers();
        log.info("Sandbox service {} ready: image {}, runtime {}, timeout {}, memory {} MB, cpus {}, {} slots + {} queued",
                instanceId, config.image(), engine.runtimeName(), config.timeout(), config.memoryMb(), config.cpus(),
                config.maxConcurrent(), config.queueSize());
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
                inputs.add(new RunnerExchange.Input(e.getKey(), meta, openRows(meta.key())));
            }
            if (!reaped.get()) {
                reapLeftovers();
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

    private SandboxOutcome runInContainer(SandboxJob job, List<RunnerExchange.Input> inputs, long started) {
        SandboxContainer container = SandboxContainer.launch(engine, ATTACH_TIMEOUT_MILLIS);
        active.add(container);
        if (closed.get()) {
            // close() ran between launch and registration; it must not leak.
            container.close();
        }
        AtomicReference<String> expired = new AtomicReference<>();
        AtomicReference<ScheduledFuture<?>> timer = new AtomicReference<>(
                watchdog.schedule(() -> expire(container, expired, "startup"), STARTUP_LIMIT.toMillis(), TimeUnit.MILLISECONDS));
        // The code's time limit starts once the runner has imported pandas: a cold start is not the user's time.
        Runnable onReady = () -> {
            ScheduledFuture<?> old = timer.getAndSet(watchdog.schedule(() -> expire(container, expired, "timeout"),
                    config.timeout().toMillis(), TimeUnit.MILLISECONDS));
            old.cancel(false);
            log.debug("Sandbox {} ready after {} ms", container.shortId(), (System.nanoTime() - started) / 1_000_000);
        };
        List<String> parentKeys = inputs.stream().map(i -> i.meta().key()).toList();
        RunnerExchange exchange = new RunnerExchange(job, cache, sql, config.outputLimitBytes(), container.stdout(),
                container.stdin(), onReady);
        try {
            RunnerExchange.Result r = exchange.run(inputs, parentKeys);
            double elapsedMs = (System.nanoTime() - started) / 1e6;
            log.debug("Sandbox {} produced frame {} ({} rows) in {} ms", container.shortId(), r.frame().key(),
                    r.frame().rowCount(), Math.round(elapsedMs));
            return new SandboxOutcome(r.frame(), r.stdout(), r.stderr(), r.stdoutTruncated(), r.stderrTruncated(),
                    r.artifacts(), elapsedMs);
        } catch (IOException | AgentException e) {
            throw diagnose(e, container, expired.get());
        } finally {
            timer.get().cancel(false);
            container.close();
            active.remove(container);
        }
    }

    private AgentException diagnose(Exception e, SandboxContainer container, String expired) {
        if ("timeout".equals(expired)) {
            return RunnerErrors.timeout(config.timeout());
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
        String what = e instanceof RunnerExchange.ProtocolException ? "protocol error: " + e.getMessage()
                : "the runner's output ended (" + e.getMessage() + ")";
        AgentException died = RunnerErrors.died(container.finalState(3_000), what, container.stderrTail(),
                config.memoryMb(), container.shortId());
        log.info("Sandbox {} failed: {}", container.shortId(), died.getMessage());
        return died;
    }

    private void expire(SandboxContainer container, AtomicReference<String> expired, String why) {
        if (expired.compareAndSet(null, why)) {
            log.info("Sandbox {} hit its {} limit; killing it", container.shortId(), why);
            container.abortStreams(why);
            container.close();
        }
    }

    /** Engine and image state, checked now (not cached: the engine may have come back). */
    public SandboxStatus status() {
        Optional<String> engineProblem = engine.ping();
        boolean image = false;
        Optional<String> reason = engineProblem;
        if (engineProblem.isEmpty()) {
            try {
                image = engine.imagePresent();
                if (!image) {
                    reason = Optional.of(engine.imageMissing().getMessage());
                }
            } catch (RuntimeException e) {
                reason = Optional.of(e.getMessage());
            }
        }
        return new SandboxStatus(engineProblem.isEmpty(), image, engine.runtimeName(), admission.running(),
                admission.queued(), 0, reason);
    }

    /** Stops accepting work, removes every container this instance created. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
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

    private void reapLeftovers() {
        try {
            int removed = engine.reapLeftovers(Set.copyOf(LIVE_INSTANCES));
            reaped.set(true);
            if (removed > 0) {
                log.info("Removed {} leftover sandbox containers of an earlier agent", removed);
            } else {
                log.debug("No leftover sandbox containers");
            }
        } catch (RuntimeException e) {
            // Not fatal: the agent starts without Docker and reports it in status(); retried on first use.
            log.warn("Could not look for leftover sandbox containers: {}", e.getMessage());
        }
    }

    private void requireOpen() {
        if (closed.get()) {
            throw DockerEngine.unavailable("The sandbox service is closed", null);
        }
    }

    private InputStream openRows(String key) {
        try {
            return Files.newInputStream(cache.dataFile(key));
        } catch (NoSuchFileException e) {
            throw AgentException.notFound("Frame " + key + " was evicted while being read");
        } catch (IOException e) {
            throw AgentException.internal("Cannot read frame " + key, e);
        }
    }
}
