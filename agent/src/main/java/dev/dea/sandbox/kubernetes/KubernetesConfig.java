package dev.dea.sandbox.kubernetes;

import dev.dea.config.ConfigException;
import dev.dea.config.SandboxConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The Kubernetes backend's settings: the Docker backend's limits ({@link SandboxConfig}:
 * image, timeout, memory, CPUs, /tmp size, pool size) plus where and how pods run. A record
 * of this package until the backend is wired into {@code ConfigLoader} (docs/kubernetes.md).
 *
 * @param namespace       where sandbox pods, and their NetworkPolicy, live (SANDBOX_K8S_NAMESPACE)
 * @param runtimeClass    the pods' runtimeClassName, e.g. gvisor (SANDBOX_RUNTIME_CLASS)
 * @param startupTimeout  create to ready runner; past it the pod is deleted and the caller gets a 503
 * @param poolMaxIdle     a pooled pod older than this is replaced, so it never nears its deadline
 * @param refillPerInterval at most this many pods created by the pool per {@code refillInterval}
 */
public record KubernetesConfig(
        SandboxConfig sandbox,
        String namespace,
        Optional<String> runtimeClass,
        Duration startupTimeout,
        Duration poolMaxIdle,
        int refillPerInterval,
        Duration refillInterval) {

    /** RFC 1123 label: what Kubernetes accepts as a namespace and a RuntimeClass name. */
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    static final Duration DEFAULT_STARTUP = Duration.ofSeconds(60);
    static final Duration DEFAULT_MAX_IDLE = Duration.ofMinutes(5);

    public KubernetesConfig {
        requireNonNull(sandbox, "sandbox");
        requireNonNull(namespace, "namespace");
        requireNonNull(runtimeClass, "runtimeClass");
        requireNonNull(startupTimeout, "startupTimeout");
        requireNonNull(poolMaxIdle, "poolMaxIdle");
        requireNonNull(refillInterval, "refillInterval");
        if (refillPerInterval < 1) {
            throw new IllegalArgumentException("refillPerInterval must be at least 1");
        }
    }

    /**
     * From the environment, every problem reported at once. Without SANDBOX_K8S_NAMESPACE the
     * namespace the agent's service account runs in is used (the in-cluster default), else
     * {@code default}.
     */
    public static KubernetesConfig from(SandboxConfig sandbox, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        String namespace = value(env, "SANDBOX_K8S_NAMESPACE").orElse("");
        if (!namespace.isEmpty() && !DNS_LABEL.matcher(namespace).matches()) {
            problems.add("SANDBOX_K8S_NAMESPACE '" + namespace + "' is not a valid namespace name (lower-case letters,"
                    + " digits and '-', at most 63)");
        }
        Optional<String> runtimeClass = value(env, "SANDBOX_RUNTIME_CLASS");
        if (runtimeClass.isPresent() && !DNS_LABEL.matcher(runtimeClass.get()).matches()) {
            problems.add("SANDBOX_RUNTIME_CLASS '" + runtimeClass.get() + "' is not a valid RuntimeClass name, e.g. gvisor");
        }
        long startup = whole(env, "SANDBOX_K8S_START_TIMEOUT_SECONDS", DEFAULT_STARTUP.toSeconds(), 5, 600, problems);
        long refill = whole(env, "SANDBOX_K8S_POOL_REFILL_PER_SECOND", 5, 1, 100, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new KubernetesConfig(sandbox, namespace, runtimeClass, Duration.ofSeconds(startup), DEFAULT_MAX_IDLE,
                (int) refill, Duration.ofSeconds(1));
    }

    /**
     * The pods' activeDeadlineSeconds: the kubelet's backstop for an agent that died holding
     * a pod. The clock starts with the pod, so it covers start-up and the pool wait as well
     * as the execution; the agent's own watchdog enforces the execution's time limit.
     */
    long activeDeadlineSeconds() {
        return startupTimeout.toSeconds() + poolMaxIdle.toSeconds() + sandbox.timeout().toSeconds() + 30;
    }

    private static Optional<String> value(Map<String, String> env, String key) {
        return Optional.ofNullable(env.get(key)).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static long whole(Map<String, String> env, String key, long dflt, long min, long max, List<String> problems) {
        Optional<String> v = value(env, key);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.get());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(key + " must be a whole number from " + min + " to " + max + ", not '" + v.get() + "'");
        return dflt;
    }
}
