package dev.dea.sandbox;

import dev.dea.error.Causes;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.dea.config.SandboxConfig;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The Docker engine as the sandbox sees it: one lazily built client, hardened container
 * creation, reaping by label, and errors that say what to do. A failed connection drops
 * the client, so an engine that restarts is picked up by the next call instead of a
 * dead connection pool being reused forever.
 */
public final class DockerEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DockerEngine.class);

    static final String LABEL = "dev.dea.sandbox";
    static final String INSTANCE_LABEL = "dev.dea.sandbox.instance";
    /** The agent that owns a container: a digest of host and cache directory (see {@link SandboxBackend#ownerOf}). */
    static final String OWNER_LABEL = "dev.dea.sandbox.owner";
    static final String SETUP_HINT = "run sandbox-image/setup-docker.sh";
    static final String BUILD_HINT = "build the image with sandbox-image/build-offline.sh";
    /**
     * The most any one engine call may take as seen by its caller. A wedged engine (or a
     * container whose removal waits on a stuck stream) must not hold a request, a slot or
     * the watchdog; the call itself runs on, bounded by the HTTP client's response timeout.
     */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final SandboxConfig config;
    private final String instanceId;
    private final String owner;
    private final URI host;
    private final Duration responseTimeout;
    private DockerClient client;
    private final ExecutorService calls;
    private final Duration callTimeout;
    /** Containers this engine created that their owner has not given up yet: never reaped. */
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    /** Creates in flight: a container the engine made may not be in {@link #held} yet. */
    private final AtomicInteger creating = new AtomicInteger();
    /** A call failed to reach the engine and none has succeeded since. */
    private volatile boolean unreachable;
    /** A removal the engine answered but did not do (e.g. while it shut down): a later reap must retry it. */
    private volatile boolean reapPending;
    private volatile Runnable onReachableAgain = () -> { };

    DockerEngine(SandboxConfig config, String instanceId, String owner) {
        this(config, instanceId, owner, CALL_TIMEOUT);
    }

    DockerEngine(SandboxConfig config, String instanceId, String owner, Duration callTimeout) {
        this.callTimeout = requireNonNull(callTimeout, "callTimeout");
        this.owner = requireNonNull(owner, "owner");
        this.config = requireNonNull(config, "config");
        this.instanceId = requireNonNull(instanceId, "instanceId");
        this.host = clientConfig(Optional.empty()).getDockerHost();
        // Longer than any execution: an attach stream is silent while user code runs.
        this.responseTimeout = config.timeout().plusSeconds(60);
        this.calls = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "docker-call-" + instanceId.substring(0, Math.min(8, instanceId.length())));
            t.setDaemon(true);
            return t;
        });
    }

    /** Told (on a call's thread) when a call succeeds after the engine was unreachable, e.g. after its restart. */
    void onReachableAgain(Runnable listener) {
        this.onReachableAgain = requireNonNull(listener, "listener");
    }

    /** Whether the latest engine call failed to reach it. */
    boolean unreachable() {
        return unreachable;
    }

    /** Whether a removal failed on an engine that answered, so that only a later reap removes the container. */
    boolean reapPending() {
        return reapPending;
    }

    /** Something (a broken attach stream) suggests the engine went away: the next successful call reaps. */
    void suspect() {
        unreachable = true;
    }

    /** The owner no longer needs this container: from now on a reap may remove it. */
    void release(String id) {
        held.remove(id);
    }

    URI host() {
        return host;
    }

    String instanceId() {
        return instanceId;
    }

    int memoryMb() {
        return config.memoryMb();
    }

    String runtimeName() {
        return config.runtime().orElse("runc");
    }

    /**
     * Runs one engine call; a transport failure becomes SANDBOX_UNAVAILABLE and drops the client.
     * A call whose client another thread dropped meanwhile ("Connection pool shut down") is
     * tried once more on a fresh client: otherwise a removal that overlapped a dropped stream
     * would fail and leave its container behind.
     */
    <T> T call(String what, Function<DockerClient, T> call) {
        for (int attempt = 1; ; attempt++) {
            DockerClient c = client();
            try {
                T result = bounded(what, () -> call.apply(c));
                reached();
                return result;
            } catch (DockerException e) {
                reached();
                throw e;   // the engine answered; callers decide what a status means
            } catch (RuntimeException e) {
                if (e instanceof AgentException) {
                    throw e;
                }
                boolean droppedMeanwhile;
                synchronized (this) {
                    droppedMeanwhile = client != c;
                }
                if (droppedMeanwhile && attempt == 1) {
                    log.debug("Docker client was replaced during {}; retrying once: {}", what, Causes.rootMessage(e));
                    continue;
                }
                invalidate(c);
                unreachable = true;
                throw unavailable("Docker engine at " + host + " is not reachable (" + what + ": " + Causes.rootMessage(e)
                        + "); " + SETUP_HINT, e);
            }
        }
    }

    /**
     * Runs {@code call} on the call pool and waits at most the call timeout ({@link #CALL_TIMEOUT}). A call over
     * the bound is left to finish on its own thread (not interrupted: an interrupt would abort
     * the shared HTTP client's connection under the other calls) and reported as a
     * transport failure; the client is kept, since a slow call does not mean a dead engine.
     */
    private <T> T bounded(String what, java.util.function.Supplier<T> call) {
        Future<T> future = calls.submit(call::get);
        try {
            return future.get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
            unreachable = true;
            throw new AgentException(ErrorType.SANDBOX_UNAVAILABLE, "The Docker engine at " + host
                    + " did not answer within " + callTimeout.toMillis() + " ms (" + what + ")", Map.of(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("Interrupted while waiting for the Docker engine (" + what + ")", e);
        }
    }

    private void reached() {
        if (unreachable) {
            unreachable = false;
            log.info("The Docker engine at {} answers again", host);
            try {
                onReachableAgain.run();
            } catch (RuntimeException e) {
                log.warn("After the Docker engine came back: {}", e.toString());
            }
        }
    }

    /** Empty if the engine answers a ping, else why not. */
    Optional<String> ping() {
        try {
            call("ping", c -> {
                c.pingCmd().exec();
                return null;
            });
            return Optional.empty();
        } catch (AgentException | DockerException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The configured image's labels (empty map when it has none), or empty when the engine lacks the image. */
    Optional<Map<String, String>> imageLabels() {
        try {
            var image = call("inspect image", c -> c.inspectImageCmd(config.image()).exec());
            var labels = image.getConfig() == null ? null : image.getConfig().getLabels();
            return Optional.of(labels == null ? Map.of() : labels);
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    AgentException imageMissing() {
        return unavailable("The sandbox image " + config.image() + " is not present on the Docker engine at "
                + host + "; " + BUILD_HINT, null);
    }

    /** Creates (not starts) one hardened, labelled container ({@link ContainerSpec}); returns its id. */
    String create() {
        creating.incrementAndGet();
        try {
            String id = call("create container", c -> ContainerSpec.apply(c.createContainerCmd(config.image()), config,
                            Map.of(LABEL, "true", INSTANCE_LABEL, instanceId, OWNER_LABEL, owner))
                    .exec().getId());
            held.add(id);
            return id;
        } catch (NotFoundException e) {
            throw imageMissing();
        } catch (DockerException e) {
            String runtimeHint = config.runtime().isPresent() && e.getMessage() != null
                    && e.getMessage().contains("runtime") ? " (is the runtime " + runtimeName()
                    + " configured in /etc/docker/daemon.json? " + SETUP_HINT + ")" : "";
            throw unavailable("The Docker engine refused to create a sandbox container: " + Causes.rootMessage(e)
                    + runtimeHint, e);
        } finally {
            creating.decrementAndGet();
        }
    }

    void start(String id) {
        call("start container", c -> c.startContainerCmd(id).exec());
    }

    InspectContainerResponse.ContainerState state(String id) {
        return call("inspect container", c -> c.inspectContainerCmd(id).exec().getState());
    }

    /** Force-removes a container (killing it if it runs); false if it was already gone. */
    boolean remove(String id) {
        try {
            call("remove container", c -> c.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec());
            return true;
        } catch (NotFoundException e) {
            return false;
        } catch (DockerException e) {
            // 409 "removal already in progress" also means it goes away.
            log.debug("Removing sandbox container {}: {}", id, e.getMessage());
            if (e.getHttpStatus() == 409) {
                return true;
            }
            reapPending = true;
            return false;
        }
    }

    /** All sandbox containers (any state) carrying our base label. */
    List<Container> listLabelled() {
        return call("list containers", c -> c.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(LABEL, "true")).exec());
    }

    /**
     * Removes this owner's containers that nobody holds: leftovers of a crashed predecessor
     * on the same cache directory, and this instance's own containers that were given up
     * ({@link #release}) but could not be removed, e.g. while the engine was restarting.
     * Containers of other live services in this JVM and of other owners (other agents,
     * other test JVMs) are never touched.
     */
    int reapLeftovers(Set<String> liveInstances) {
        // Before the listing: a removal failing from here on asks for the next reap.
        reapPending = false;
        int removed = 0;
        List<Container> mine = call("list containers", c -> c.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(LABEL, "true", OWNER_LABEL, owner)).exec());
        for (Container c : mine) {
            String instance = c.getLabels() == null ? null : c.getLabels().get(INSTANCE_LABEL);
            boolean ours = instanceId.equals(instance);
            if (ours ? held.contains(c.getId()) : instance != null && liveInstances.contains(instance)) {
                continue;
            }
            if (ours && creating.get() > 0) {
                // Possibly one whose create the engine has done but whose id is not held yet: the
                // next reap (asked for here) decides, once no create is in flight.
                reapPending = true;
                continue;
            }
            if (remove(c.getId())) {
                removed++;
            }
        }
        return removed;
    }

    DockerClient client() {
        synchronized (this) {
            if (client == null) {
                client = openClient(clientConfig(Optional.empty()), Math.max(16, config.maxConcurrent() * 2 + 8), responseTimeout);
            }
            return client;
        }
    }

    /**
     * docker-java's own resolution of the engine (DOCKER_HOST, system properties, docker
     * contexts), with {@code dockerHost} over it when given. Public for the doctor, which
     * must find the engine exactly as the sandbox does.
     */
    public static DefaultDockerClientConfig clientConfig(Optional<String> dockerHost) {
        DefaultDockerClientConfig.Builder builder = DefaultDockerClientConfig.createDefaultConfigBuilder();
        dockerHost.ifPresent(builder::withDockerHost);
        return builder.build();
    }

    /** The one way a docker-java client is built (public for the doctor, see {@link #clientConfig}). */
    public static DockerClient openClient(DefaultDockerClientConfig clientConfig, int maxConnections, Duration responseTimeout) {
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(clientConfig.getDockerHost())
                .sslConfig(clientConfig.getSSLConfig())
                .maxConnections(maxConnections)
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(responseTimeout)
                .build();
        return DockerClientImpl.getInstance(clientConfig, http);
    }

    private void invalidate(DockerClient dead) {
        synchronized (this) {
            if (client == dead) {
                client = null;
            }
        }
        closeQuietly(dead);
    }

    @Override
    public void close() {
        // The call pool is not shut down: close() also stands for "drop the client" (a later call opens a new
        // one), and its idle daemon threads end by themselves after a minute.
        DockerClient c;
        synchronized (this) {
            c = client;
            client = null;
        }
        if (c != null) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(DockerClient c) {
        try {
            c.close();
        } catch (IOException | RuntimeException e) {
            log.debug("Closing the Docker client: {}", e.toString());
        }
    }

    static AgentException unavailable(String message, Throwable cause) {
        return new AgentException(ErrorType.SANDBOX_UNAVAILABLE, message, Map.of(), cause);
    }

}
