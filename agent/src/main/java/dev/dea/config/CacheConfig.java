package dev.dea.config;

import java.nio.file.Path;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/** The on-disk frame cache: where it lives and when frames are evicted. */
public record CacheConfig(Path dir, Duration ttl, long maxBytes, long maxFrameBytes) {
    public CacheConfig {
        requireNonNull(dir, "dir");
        requireNonNull(ttl, "ttl");
    }
}
