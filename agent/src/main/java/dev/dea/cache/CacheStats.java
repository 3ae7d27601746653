package dev.dea.cache;

/**
 * A consistent snapshot of the cache.
 *
 * @param frames    frames currently visible
 * @param bytes     their size on disk (column files plus meta.json files); frames being
 *                  written are not counted until committed
 * @param evictions frames removed by TTL, size or frame-count eviction since the cache was
 *                  opened (explicit deletes are not evictions)
 * @param maxBytes  the configured size limit
 * @param maxFrames the configured frame-count limit
 */
public record CacheStats(int frames, long bytes, long evictions, long maxBytes, int maxFrames) {
}
