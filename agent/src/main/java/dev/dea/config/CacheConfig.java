package dev.dea.config;

import java.nio.file.Path;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * The on-disk frame cache: where it lives and when frames are evicted.
 *
 * @param maxBytes      total size of the frames on disk before the least recently used go
 * @param maxFrameBytes largest single frame
 * @param maxFrames     number of frames before the least recently used go; it also bounds
 *                      the cache's in-memory index
 */
public record CacheConfig(Path dir, Duration ttl, long maxBytes, long maxFrameBytes, int maxFrames) {
    public CacheConfig {
        requireNonNull(dir, "dir");
        requireNonNull(ttl, "ttl");
        if (maxFrames < 1) {
            throw new IllegalArgumentException("maxFrames must be at least 1, got " + maxFrames);
        }
    }
}
