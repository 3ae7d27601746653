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
 * @param previewMaxBytes most bytes of row values a preview (in an execution result or
 *                      {@code GET /frames/{key}}) holds, whatever its row count: a thousand
 *                      rows of megabyte texts must not be held in memory and sent at once
 * @param artifactsMaxBytes total size of the stored artifacts ({@code artifacts/} beside the
 *                      frames) before the oldest go; at least one step's artifacts (10 MiB)
 */
public record CacheConfig(Path dir, Duration ttl, long maxBytes, long maxFrameBytes, int maxFrames,
                          long previewMaxBytes, long artifactsMaxBytes) {
    public static final long DEFAULT_PREVIEW_MAX_BYTES = 8L << 20;
    public static final long DEFAULT_ARTIFACTS_MAX_BYTES = 1L << 30;
    public static final long MIN_ARTIFACTS_MAX_BYTES = 16L << 20;

    public CacheConfig {
        requireNonNull(dir, "dir");
        requireNonNull(ttl, "ttl");
        if (maxFrames < 1) {
            throw new IllegalArgumentException("maxFrames must be at least 1, got " + maxFrames);
        }
        if (previewMaxBytes < 1) {
            throw new IllegalArgumentException("previewMaxBytes must be at least 1, got " + previewMaxBytes);
        }
        if (artifactsMaxBytes < MIN_ARTIFACTS_MAX_BYTES) {
            throw new IllegalArgumentException("artifactsMaxBytes must be at least " + MIN_ARTIFACTS_MAX_BYTES
                    + ", got " + artifactsMaxBytes);
        }
    }

    public CacheConfig(Path dir, Duration ttl, long maxBytes, long maxFrameBytes, int maxFrames, long previewMaxBytes) {
        this(dir, ttl, maxBytes, maxFrameBytes, maxFrames, previewMaxBytes, DEFAULT_ARTIFACTS_MAX_BYTES);
    }

    public CacheConfig(Path dir, Duration ttl, long maxBytes, long maxFrameBytes, int maxFrames) {
        this(dir, ttl, maxBytes, maxFrameBytes, maxFrames, DEFAULT_PREVIEW_MAX_BYTES);
    }
}
