package dev.dea.sandbox;

import com.github.dockerjava.api.model.Container;
import dev.dea.config.SandboxConfig;
import dev.dea.error.AgentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.util.Objects.requireNonNull;

/**
 * Sandboxes as one-off Docker containers on the agent's engine: the Docker implementation
 * of {@link SandboxBackend}. One hardened, network-less container per execution
 * ({@link DockerEngine#create}), used once and removed. Every container carries this
 * instance's label, so {@link #close()} and a later agent's start can find and reap what
 * was left behind.
 *
 * <p>With {@code poolSize > 0} a {@link WarmPool} keeps that many containers started and
 * ready ahead of requests. They are the same one-use containers, only started earlier:
 * each serves one execution and is removed, so no state (files, memory, processes) ever
 * passes from one execution to the next.
 */
public final class DockerSandboxes implements SandboxBackend {
    private static final Logger log = LoggerFactory.getLogger(DockerSandboxes.class);
    /** Backends alive in this JVM: their containers are not leftovers (tests run several). */
    private static final Set<String> LIVE_INSTANCES = ConcurrentHashMap.newKeySet();
    /** Container start plus importing pandas; generous for gVisor on a loaded host. */
    static final Duration STARTUP_LIMIT = Duration.ofSeconds(60);
    private static final long ATTACH_TIMEOUT_MILLIS = 15_000;
    /** How often an engine marked unreachable is pinged to notice its return. */
    private static final Duration HEALTH_PROBE = Duration.ofSeconds(2);

    private final SandboxConfig config;
    private final String instanceId = UUID.randomUUID().toString();
    private final DockerEngine engine;
    private final ScheduledThreadPoolExecutor watchdog;
    private final ExecutorService remover;
    private final AtomicBoolean reaped = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean reapWarned = new AtomicBoolean();
    private final AtomicBoolean probing = new AtomicBoolean();
    private final Backoff reapBackoff = new Backoff(HEALTH_PROBE, Duration.ofMinutes(5));
    private final WarmPool pool;

    public DockerSandboxes(SandboxConfig config, Path cacheDirectory) {
        this(config, cacheDirectory, WarmPool.MAX_IDLE);
    }

    DockerSandboxes(SandboxConfig config, Path cacheDirectory, Duration poolMaxIdle) {
        this.config = requireNonNull(config, "config");
        this.engine = new DockerEngine(config, instanceId, SandboxBackend.ownerOf(cacheDirectory));
        String shortId = instanceId.substring(0, 8);
        this.watchdog = Daemons.watchdog("sandbox-docker-watchdog-" + shortId);
        this.remover = Daemons.single("sandbox-docker-remover-" + shortId);
        LIVE_INSTANCES.add(instanceId);
        tryReap();
        // An engine restart leaves exited containers whose removal failed while it was down: reap them as soon
        // as it answers again, not only at the agent's next start.
        engine.onReachableAgain(() -> {
            try {
                remover.execute(this::tryReap);
            } catch (RejectedExecutionException e) {
                // closing: close() sweeps by label
            }
        });
        // Notices the return without traffic (pool off, no requests): a ping while the engine is marked down.
        // And retries removals the engine answered but did not do (a dockerd that was shutting down refuses
        // them with a 500 and is not "unreachable"), backing off while they keep failing.
        watchdog.scheduleWithFixedDelay(() -> {
            if (closed.get() || !probing.compareAndSet(false, true)) {
                return;
            }
            Runnable probe = engine.unreachable() ? engine::ping : engine.reapPending() ? this::retryReap : null;
            if (probe == null) {
                reapBackoff.reset();
                probing.set(false);
                return;
            }
            remover.execute(() -> {
                try {
                    probe.run();
                } finally {
                    probing.set(false);
                }
            });
        }, HEALTH_PROBE.toMillis(), HEALTH_PROBE.toMillis(), TimeUnit.MILLISECONDS);
        // After the reap: the pool's containers carry our live label and must not race with it.
        this.pool = new WarmPool(Math.max(0, config.poolSize()), poolMaxIdle, shortId, this::launchReady,
                id -> Boolean.TRUE.equals(engine.state(id).getRunning()), this::removeLater);
        log.info("Docker sandbox backend {} ready: image {}, runtime {}, {} warm (recycled after {} idle)",
                instanceId, config.image(), engine.runtimeName(), config.poolSize(), poolMaxIdle);
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    @Override
    public String runtime() {
        return engine.runtimeName();
    }

    @Override
    public Sandbox acquire() {
        requireOpen();
        Optional<SandboxContainer> warm = pool.take();
        return warm.isPresent() ? warm.get() : launchReady();
    }

    @Override
    public int pooled() {
        return pool.pooled();
    }

    /** Whether a removal the engine refused waits for a reap (tests, debugging). */
    boolean reapPending() {
        return engine.reapPending();
    }

    /** Pool counters since start (tests, debugging). */
    WarmPool pool() {
        return pool;
    }

    /**
     * Creates, attaches and starts a container and reads the runner's ready line, within
     * {@link #STARTUP_LIMIT}. Used by requests when the pool is empty and by the pool's refill.
     */
    private SandboxContainer launchReady() {
        requireOpen();
        if (!reaped.get()) {
            tryReap();
        }
        long t0 = System.nanoTime();
        SandboxContainer container = SandboxContainer.launch(engine, ATTACH_TIMEOUT_MILLIS);
        if (closed.get()) {
            container.close();
            throw DockerEngine.unavailable("The sandbox service is shutting down", null);
        }
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> timer = watchdog.schedule(() -> {
            expired.set(true);
            log.info("Sandbox {} hit its startup limit; killing it", container.shortId());
            container.abort("startup");
        }, STARTUP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        try {
            container.awaitReady();
            log.debug("Sandbox {} ready after {} ms", container.shortId(), (System.nanoTime() - t0) / 1_000_000);
            return container;
        } catch (IOException e) {
            AgentException failure = expired.get()
                    ? DockerEngine.unavailable("The sandbox runner did not start within " + STARTUP_LIMIT.toSeconds()
                            + " s (container " + container.shortId() + "); is the Docker engine overloaded?", e)
                    : closed.get() ? DockerEngine.unavailable("The sandbox service is shutting down", e)
                    : e instanceof RunnerExchange.ProtocolException || e instanceof LineReader.LineTooLongException
                    ? RunnerErrors.protocolViolation(e.getMessage(), container.shortId())
                    : container.diagnose("the runner's output ended (" + e.getMessage() + ")");
            container.abort("the start failed");
            removeLater(container);
            throw failure;
        } finally {
            timer.cancel(false);
        }
    }

    /** Removes a container off the caller's path; inline if the backend is closing. */
    private void removeLater(SandboxContainer container) {
        try {
            remover.execute(container::close);
        } catch (RejectedExecutionException e) {
            container.close();
        }
    }

    /** Engine and image, checked now (not cached: the engine may have come back). */
    @Override
    public Probe probe() {
        Optional<String> engineProblem = engine.ping();
        if (engineProblem.isPresent()) {
            return new Probe(false, Map.of(), engineProblem);
        }
        try {
            Optional<Map<String, String>> labels = engine.imageLabels();
            if (labels.isEmpty()) {
                return new Probe(true, Map.of(), Optional.of(engine.imageMissing().getMessage()));
            }
            return new Probe(true, SandboxStatus.parsePackages(labels.get().get(SandboxStatus.PACKAGES_LABEL)),
                    Optional.empty());
        } catch (RuntimeException e) {
            return new Probe(true, Map.of(), Optional.of(e.getMessage()));
        }
    }

    @Override
    public Optional<String> unavailableReason() {
        return probe().reason();
    }

    @Override
    public int reapLeftovers() {
        int removed = engine.reapLeftovers(Set.copyOf(LIVE_INSTANCES));
        reaped.set(true);
        return removed;
    }

    private void retryReap() {
        if (reapBackoff.due()) {
            tryReap();
        }
    }

    private void tryReap() {
        try {
            int removed = reapLeftovers();
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

    /** Stops the pool, removes every container this instance created (found by label). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        pool.close();
        // Discarded containers first; then the sweep and the client close.
        Daemons.stop(remover, watchdog);
        int swept = 0;
        try {
            // Containers created but not yet handed out or removed (a launch racing with close) are found by label.
            List<Container> labelled = engine.listLabelled();
            for (Container c : labelled) {
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
        log.info("Docker sandbox backend {} closed ({} swept by label)", instanceId, swept);
    }

    /** Attempts due at growing intervals (doubling up to a ceiling) until reset. Thread-safe. */
    private static final class Backoff {
        private final long firstNanos;
        private final long maxNanos;
        private long delayNanos;
        private long nextNanos;

        Backoff(Duration first, Duration max) {
            this.firstNanos = first.toNanos();
            this.maxNanos = max.toNanos();
            reset();
        }

        synchronized void reset() {
            delayNanos = firstNanos;
            nextNanos = System.nanoTime();
        }

        /** Whether an attempt is due now; if so, the next one is due after a longer wait. */
        synchronized boolean due() {
            long now = System.nanoTime();
            if (now - nextNanos < 0) {
                return false;
            }
            nextNanos = now + delayNanos;
            delayNanos = Math.min(maxNanos, delayNanos * 2);
            return true;
        }
    }
}
