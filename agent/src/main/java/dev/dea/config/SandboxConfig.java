package dev.dea.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Limits and placement of the Python sandboxes. Defaults are the reference agent's
 * (100 s, 256 MB, 0.5 CPU, no network). The limits apply to both backends; {@code runtime}
 * and {@code pidsLimit} are Docker's, {@code kubernetes} only Kubernetes'.
 *
 * @param backend    SANDBOX_BACKEND: where runners run
 * @param kubernetes the SANDBOX_K8S_* settings, read (and checked) whichever backend is chosen
 */
public record SandboxConfig(
        String image,
        Duration timeout,
        int memoryMb,
        double cpus,
        int pidsLimit,
        int maxConcurrent,
        int queueSize,
        int poolSize,
        Optional<String> runtime,
        long outputLimitBytes,
        int tmpfsMb,
        Backend backend,
        KubernetesSettings kubernetes) {

    /** Where sandboxes run. */
    public enum Backend {
        /** One-use containers on the agent's Docker engine (the default). */
        DOCKER,
        /** One-use pods in a Kubernetes namespace (docs/kubernetes.md). */
        KUBERNETES;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Optional<Backend> of(String id) {
            for (Backend b : values()) {
                if (b.id().equalsIgnoreCase(id.strip())) {
                    return Optional.of(b);
                }
            }
            return Optional.empty();
        }
    }

    public SandboxConfig {
        requireNonNull(image, "image");
        requireNonNull(timeout, "timeout");
        requireNonNull(runtime, "runtime");
        requireNonNull(backend, "backend");
        requireNonNull(kubernetes, "kubernetes");
    }

    /** On Docker, with Kubernetes' settings at their defaults. */
    public SandboxConfig(String image, Duration timeout, int memoryMb, double cpus, int pidsLimit, int maxConcurrent,
                         int queueSize, int poolSize, Optional<String> runtime, long outputLimitBytes, int tmpfsMb) {
        this(image, timeout, memoryMb, cpus, pidsLimit, maxConcurrent, queueSize, poolSize, runtime, outputLimitBytes,
                tmpfsMb, Backend.DOCKER, KubernetesSettings.defaults());
    }

    public SandboxConfig withBackend(Backend newBackend, KubernetesSettings newKubernetes) {
        return new SandboxConfig(image, timeout, memoryMb, cpus, pidsLimit, maxConcurrent, queueSize, poolSize, runtime,
                outputLimitBytes, tmpfsMb, newBackend, newKubernetes);
    }
}
