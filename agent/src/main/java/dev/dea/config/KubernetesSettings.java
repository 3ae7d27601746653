package dev.dea.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Where and how sandbox pods run with {@code SANDBOX_BACKEND=kubernetes} (docs/kubernetes.md);
 * the limits are {@link SandboxConfig}'s, shared with Docker.
 *
 * @param namespace       SANDBOX_K8S_NAMESPACE; empty: the service account's namespace (else {@code default})
 * @param runtimeClass    SANDBOX_RUNTIME_CLASS, the pods' runtimeClassName, e.g. gvisor
 * @param startupTimeout  SANDBOX_K8S_START_TIMEOUT_SECONDS: create to ready runner, past it a 503
 * @param refillPerSecond SANDBOX_K8S_POOL_REFILL_PER_SECOND: pod creations per second by the warm pool, at most
 */
public record KubernetesSettings(String namespace, Optional<String> runtimeClass, Duration startupTimeout,
                                 int refillPerSecond) {

    /** RFC 1123 label: what Kubernetes accepts as a namespace and a RuntimeClass name. */
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    public static final Duration DEFAULT_STARTUP = Duration.ofSeconds(60);
    public static final int DEFAULT_REFILL_PER_SECOND = 5;

    public KubernetesSettings {
        requireNonNull(namespace, "namespace");
        requireNonNull(runtimeClass, "runtimeClass");
        requireNonNull(startupTimeout, "startupTimeout");
        if (refillPerSecond < 1) {
            throw new IllegalArgumentException("refillPerSecond must be at least 1");
        }
    }

    public static KubernetesSettings defaults() {
        return new KubernetesSettings("", Optional.empty(), DEFAULT_STARTUP, DEFAULT_REFILL_PER_SECOND);
    }

    /** From {@code env} alone, every problem reported at once (tests, and the backend's own checks). */
    public static KubernetesSettings from(Map<String, String> env) {
        Env e = new Env(env);
        KubernetesSettings settings = read(e);
        if (!e.problems().isEmpty()) {
            throw new ConfigException(e.problems());
        }
        return settings;
    }

    /** Reads the settings, adding what is wrong to {@code env}'s problems (ConfigLoader reports them with the rest). */
    static KubernetesSettings read(Env env) {
        List<String> problems = env.problems();
        String namespace = env.optional("SANDBOX_K8S_NAMESPACE").orElse("");
        if (!namespace.isEmpty() && !DNS_LABEL.matcher(namespace).matches()) {
            problems.add("SANDBOX_K8S_NAMESPACE '" + namespace + "' is not a valid namespace name (lower-case letters,"
                    + " digits and '-', at most 63)");
        }
        Optional<String> runtimeClass = env.optional("SANDBOX_RUNTIME_CLASS");
        if (runtimeClass.isPresent() && !DNS_LABEL.matcher(runtimeClass.get()).matches()) {
            problems.add("SANDBOX_RUNTIME_CLASS '" + runtimeClass.get() + "' is not a valid RuntimeClass name, e.g. gvisor");
        }
        int startup = env.integer("SANDBOX_K8S_START_TIMEOUT_SECONDS", (int) DEFAULT_STARTUP.toSeconds(), 5, 600);
        int refill = env.integer("SANDBOX_K8S_POOL_REFILL_PER_SECOND", DEFAULT_REFILL_PER_SECOND, 1, 100);
        return new KubernetesSettings(namespace, runtimeClass, Duration.ofSeconds(startup), refill);
    }
}
