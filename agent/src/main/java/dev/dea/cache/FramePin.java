package dev.dea.cache;

import java.util.concurrent.atomic.AtomicBoolean;

import static java.util.Objects.requireNonNull;

/**
 * A frame just committed, held out of eviction (and expiry) until {@link #close()}: between
 * a commit and the read that answers it (a preview, the sandbox channel, the inputs of a step
 * still waiting for a slot), another step's commit could otherwise evict it at a small cache
 * limit, and a step that succeeded would answer 404. Close it promptly, once the frame's files
 * are open or read; closing applies the cache's limits again. Idempotent.
 */
public final class FramePin implements AutoCloseable {
    private final FrameCache cache;
    private final FrameMeta meta;
    private final AtomicBoolean closed = new AtomicBoolean();

    FramePin(FrameCache cache, FrameMeta meta) {
        this.cache = requireNonNull(cache, "cache");
        this.meta = requireNonNull(meta, "meta");
    }

    public FrameMeta meta() {
        return meta;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            cache.unpin(meta.key());
        }
    }
}
