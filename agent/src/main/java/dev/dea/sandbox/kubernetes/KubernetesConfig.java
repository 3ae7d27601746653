package dev.dea.sandbox.kubernetes;

import dev.dea.config.KubernetesSettings;
import dev.dea.config.SandboxConfig;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The Kubernetes backend's settings: the Docker backend's limits ({@link SandboxConfig}:
 * image, timeout, memory, CPUs, /tmp size, pool size) plus where and how pods run. Built from
 * {@link SandboxConfig#kubernetes()}, which ConfigLoader reads and checks with every other setting.
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

    static final Duration DEFAULT_STARTUP = KubernetesSettings.DEFAULT_STARTUP;
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

    /** From the agent's configuration: {@code sandbox.kubernetes()}, read and checked by ConfigLoader. */
    public static KubernetesConfig of(SandboxConfig sandbox) {
        KubernetesSettings k = sandbox.kubernetes();
        return new KubernetesConfig(sandbox, k.namespace(), k.runtimeClass(), k.startupTimeout(), DEFAULT_MAX_IDLE,
                k.refillPerSecond(), Duration.ofSeconds(1));
    }

    /**
     * From the environment alone, every problem reported at once (ConfigException). Without
     * SANDBOX_K8S_NAMESPACE the namespace the agent's service account runs in is used (the
     * in-cluster default), else {@code default}.
     */
    public static KubernetesConfig from(SandboxConfig sandbox, Map<String, String> env) {
        return of(sandbox.withBackend(SandboxConfig.Backend.KUBERNETES, KubernetesSettings.from(env)));
    }

    /**
     * The pods' activeDeadlineSeconds: the kubelet's backstop for an agent that died holding
     * a pod. The clock starts with the pod, so it covers start-up and the pool wait as well
     * as the execution; the agent's own watchdog enforces the execution's time limit.
     */
    long activeDeadlineSeconds() {
        return startupTimeout.toSeconds() + poolMaxIdle.toSeconds() + sandbox.timeout().toSeconds() + 30;
    }
}
