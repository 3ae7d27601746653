package dev.dea.sandbox.kubernetes;

import dev.dea.error.Causes;
import dev.dea.error.AgentException;
import dev.dea.sandbox.SandboxBackend;
import dev.dea.error.ErrorType;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Sandboxes as one-use Kubernetes pods, with a warm pool: the Kubernetes implementation of
 * {@link SandboxBackend} (acquire a started one-use sandbox whose stdin/stdout carry the
 * runner protocol; kill and remove it; reap leftovers by owner label).
 *
 * <p>Each sandbox is one pod of {@link PodSpecs#pod} (non-root, read-only root, no
 * capabilities, no service account token, memory-backed /tmp, the Docker backend's CPU and
 * memory limits, an activeDeadlineSeconds backstop), created, awaited until Running within
 * the start-up bound, attached (stdin, stdout, stderr over the API server), and deleted
 * after its one execution. No pod starts unless the namespace's NetworkPolicies keep it off the
 * network ({@link SandboxNetworkPolicy}). Pods carry the Docker backend's labels; leftovers
 * of this owner are reaped at start-up and at close, another agent's never.
 *
 * <p>The API client is fabric8's, configured the standard way (the in-cluster service
 * account, else KUBECONFIG / ~/.kube/config) with few retries, so an unreachable API server
 * is a fast SANDBOX_UNAVAILABLE and the next call after it returns simply works.
 */
public final class KubernetesSandboxes implements SandboxBackend {
    private static final Logger log = LoggerFactory.getLogger(KubernetesSandboxes.class);
    /** Instances alive in this JVM: their pods are not leftovers (tests run several). */
    private static final Set<String> LIVE_INSTANCES = ConcurrentHashMap.newKeySet();

    /** The image's package versions, from the last ready runner (the image's labels need a registry client). */
    private volatile Map<String, String> packages = Map.of();
    private final KubernetesConfig config;
    private final KubernetesClient client;
    private final String namespace;
    private final String owner;
    private final String instanceId = UUID.randomUUID().toString();
    private final SandboxNetworkPolicy policy;
    private final AtomicBoolean reaped = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("sandbox-k8s-watchdog").unstarted(r));
    private final PodPool pool;

    /**
     * @param client an API client, e.g. {@link #client(Config)} of {@link Config#autoConfigure}; closed by {@link #close()}
     * @param owner  this agent's owner label value ({@link #ownerOf})
     */
    public KubernetesSandboxes(KubernetesConfig config, KubernetesClient client, String owner) {
        this.config = requireNonNull(config, "config");
        this.client = requireNonNull(client, "client");
        this.owner = requireNonNull(owner, "owner");
        this.namespace = namespaceOf(config.namespace(), client);
        this.policy = new SandboxNetworkPolicy(client, namespace, PodSpecs.podLabels(instanceId, owner), this::api);
        LIVE_INSTANCES.add(instanceId);
        try {
            policy.check();
            reapLeftovers();
        } catch (AgentException e) {
            // Not fatal: SQL works without sandboxes; both are retried before the next pod starts.
            log.warn("Kubernetes sandbox backend starts degraded: {}", e.getMessage());
        }
        this.pool = new PodPool(Math.max(0, config.sandbox().poolSize()), config.poolMaxIdle(), config.refillPerInterval(),
                config.refillInterval(), this::launchReady);
        log.info("Kubernetes sandbox backend {} ready: namespace {}, image {}, runtimeClass {}, {} warm pods",
                instanceId, namespace, config.sandbox().image(), config.runtimeClass().orElse("(cluster default)"),
                config.sandbox().poolSize());
    }

    /** The name of the deny-all NetworkPolicy the backend creates and checks (doctor). */
    public static final String NETWORK_POLICY = PodSpecs.NETWORK_POLICY;

    /** SANDBOX_K8S_NAMESPACE, else the client's (in a cluster: the service account's), else {@code default}. */
    public static String namespaceOf(String configured, KubernetesClient client) {
        return !configured.isEmpty() ? configured : Optional.ofNullable(client.getNamespace()).orElse("default");
    }

    /** Whether {@code policy} selects every sandbox pod and allows no traffic in or out (doctor). */
    public static boolean deniesAll(NetworkPolicy policy) {
        return PodSpecs.deniesAll(policy);
    }

    /**
     * The names of the policies among {@code policies}, besides deny-all, that select sandbox pods
     * and allow some traffic: policies add up, so deny-all cannot take back what they allow.
     */
    public static List<String> opening(List<NetworkPolicy> policies, String instanceId, String owner) {
        return SandboxNetworkPolicy.opening(policies, PodSpecs.podLabels(instanceId, owner));
    }

    /** The standard client (in-cluster service account, else KUBECONFIG) with the agent's timeouts. */
    public static KubernetesClient defaultClient() {
        return client(Config.autoConfigure(null));
    }

    /**
     * A client on {@code base} with bounded waits: an unreachable API server must be a quick
     * 503, not minutes of fabric8's default exponential retries.
     */
    public static KubernetesClient client(Config base) {
        Config config = new ConfigBuilder(base)
                .withConnectionTimeout(5_000)
                .withRequestTimeout(15_000)
                .withRequestRetryBackoffLimit(1)
                .withRequestRetryBackoffInterval(200)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** The owner label value of the agent whose frame cache is {@code cacheDirectory} (the Docker backend's scheme). */
    public static String ownerOf(Path cacheDirectory) {
        return SandboxBackend.ownerOf(cacheDirectory);
    }

    @Override
    public String instanceId() {
        return instanceId;
    }

    /** The pods' RuntimeClass, as /health shows it. */
    @Override
    public String runtime() {
        return "kubernetes/" + config.runtimeClass().orElse("default");
    }

    public String namespace() {
        return namespace;
    }

    @Override
    public Sandbox acquire() {
        requireOpen();
        Optional<PodSandbox> warm = pool.take();
        return warm.isPresent() ? warm.get() : launchReady();
    }

    /** Pods waiting in the pool now. */
    @Override
    public int pooled() {
        return pool.pooled();
    }

    PodPool pool() {
        return pool;
    }

    /** Creates a pod, waits for it to run, attaches, and reads the runner's ready line, all within the start-up bound. */
    PodSandbox launchReady() {
        requireOpen();
        policy.ensure();
        if (!reaped.get()) {
            reapLeftovers();
        }
        long deadline = System.nanoTime() + config.startupTimeout().toNanos();
        String name = PodSpecs.podName();
        Pod spec = PodSpecs.pod(config, namespace, name, instanceId, owner);
        PodSandbox sandbox = null;
        try {
            // Inside: a create whose answer was lost (a timeout) may still have made the pod.
            api("create a sandbox pod", () -> client.pods().inNamespace(namespace).resource(spec).create());
            awaitRunning(name, deadline);
            ExecWatch watch = api("attach to a sandbox pod", () -> client.pods().inNamespace(namespace).withName(name)
                    .inContainer(PodSpecs.CONTAINER)
                    .redirectingInput().redirectingOutput().redirectingError()
                    .attach());
            sandbox = new PodSandbox(this, name, watch);
            awaitReady(sandbox, deadline);
            if (closed.get()) {
                throw PodFailures.unavailable("The sandbox backend is shutting down", null);
            }
            return sandbox;
        } catch (RuntimeException e) {
            if (sandbox != null) {
                sandbox.close();
            } else {
                delete(name);
            }
            throw e;
        }
    }

    private void awaitRunning(String name, long deadline) {
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        Pod pod;
        try {
            pod = api("watch a sandbox pod", () -> client.pods().inNamespace(namespace).withName(name)
                    .waitUntilCondition(PodFailures::settled, millis, TimeUnit.MILLISECONDS));
        } catch (KubernetesClientTimeoutException e) {
            throw PodFailures.tooSlow(get(name), config.startupTimeout());
        }
        if (!PodFailures.running(pod)) {
            throw PodFailures.notStarted(pod, config.sandbox().memoryMb(), config.sandbox().timeout());
        }
    }

    private void awaitReady(PodSandbox sandbox, long deadline) {
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> timer = watchdog.schedule(() -> {
            expired.set(true);
            // Not close(): its delete is an API call, and the watchdog times every start. The caller deletes.
            sandbox.abort("startup");
        }, Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        try {
            Map<String, String> declared = sandbox.awaitReady();
            if (!declared.isEmpty()) {
                packages = declared;
            }
        } catch (IOException e) {
            if (expired.get()) {
                throw PodFailures.unavailable("The sandbox runner in pod " + sandbox.id() + " was not ready within "
                        + config.startupTimeout().toSeconds() + " s (SANDBOX_K8S_START_TIMEOUT_SECONDS)", e);
            }
            AgentException died = diagnose(sandbox.id(), e.getMessage(), sandbox.stderrTail());
            throw died.type() == ErrorType.EXECUTION_ERROR
                    ? PodFailures.unavailable("The sandbox runner did not start: " + died.getMessage(), e) : died;
        } finally {
            timer.cancel(false);
        }
    }

    /** Why pod {@code name} ended; waits briefly for the kubelet to record the end. */
    AgentException diagnose(String name, String what, String stderrTail) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        Pod pod;
        try {
            do {
                pod = get(name);
                if (pod == null || PodFailures.terminated(pod).isPresent()
                        || (pod.getStatus() != null && !"Running".equals(pod.getStatus().getPhase()))) {
                    break;
                }
                Thread.sleep(100);
            } while (System.nanoTime() < deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return PodFailures.unavailable("Interrupted while diagnosing sandbox pod " + name, e);
        } catch (AgentException e) {
            return e;
        }
        AgentException failure = PodFailures.died(pod, what, stderrTail, config.sandbox().memoryMb(), config.sandbox().timeout());
        if (failure.type() == ErrorType.TIMEOUT) {
            delete(name);
        }
        log.info("Sandbox pod {} failed: {}", name, failure.getMessage());
        return failure;
    }

    private Pod get(String name) {
        return api("read a sandbox pod", () -> client.pods().inNamespace(namespace).withName(name).get());
    }

    /** Deletes a pod now (no grace period); failures are logged, the label reap is the backstop. */
    void delete(String name) {
        try {
            client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            log.warn("Could not delete sandbox pod {}: {}", name, Causes.rootMessage(e));
        }
    }

    @Override
    public int reapLeftovers() {
        var pods = api("list sandbox pods", () -> client.pods().inNamespace(namespace)
                .withLabel(PodSpecs.LABEL, "true").withLabel(PodSpecs.OWNER_LABEL, owner).list().getItems());
        int removed = 0;
        for (Pod p : pods) {
            String instance = p.getMetadata().getLabels().get(PodSpecs.INSTANCE_LABEL);
            if (instance == null || !LIVE_INSTANCES.contains(instance)) {
                delete(p.getMetadata().getName());
                removed++;
            }
        }
        reaped.set(true);
        if (removed > 0) {
            log.info("Deleted {} leftover sandbox pods of an earlier agent", removed);
        }
        return removed;
    }

    /**
     * With the image's packages as the last ready runner declared them: the image's labels would
     * need a registry client. Empty until a pod has been ready once.
     */
    @Override
    public Probe probe() {
        Optional<String> reason = unavailableReason();
        return new Probe(reason.isEmpty(), packages, reason);
    }

    @Override
    public Optional<String> unavailableReason() {
        try {
            api("list sandbox pods", () -> client.pods().inNamespace(namespace).withLabel(PodSpecs.LABEL, "true")
                    .withLabel(PodSpecs.INSTANCE_LABEL, instanceId).list());
            policy.ensure();
            return Optional.empty();
        } catch (AgentException e) {
            return Optional.of(e.getMessage());
        }
    }

    private <T> T api(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientTimeoutException e) {
            throw e;
        } catch (KubernetesClientException e) {
            if (e.getCode() <= 0) {
                // Whatever answers next may have lost or changed the policy (a rebuilt control plane): check again.
                policy.forget();
            }
            throw PodFailures.api(what, e, client.getConfiguration().getMasterUrl());
        }
    }

    private void requireOpen() {
        if (closed.get()) {
            throw PodFailures.unavailable("The sandbox backend is closed", null);
        }
    }

    /** Stops the pool, deletes every pod of this instance (found by label). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        pool.close();
        watchdog.shutdownNow();
        try {
            client.pods().inNamespace(namespace).withLabel(PodSpecs.LABEL, "true")
                    .withLabel(PodSpecs.INSTANCE_LABEL, instanceId).withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            log.warn("Could not delete the sandbox pods of {}: {}", instanceId, Causes.rootMessage(e));
        }
        LIVE_INSTANCES.remove(instanceId);
        client.close();
        log.info("Kubernetes sandbox backend {} closed", instanceId);
    }
}
