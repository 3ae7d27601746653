package dev.dea.config;

import java.time.Duration;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Limits and placement of the Python sandboxes. Defaults are the reference agent's
 * (100 s, 256 MB, 0.5 CPU, no network).
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
        int tmpfsMb) {

    public SandboxConfig {
        requireNonNull(image, "image");
        requireNonNull(timeout, "timeout");
        requireNonNull(runtime, "runtime");
    }
}
