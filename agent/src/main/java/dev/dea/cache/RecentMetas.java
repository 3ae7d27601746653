package dev.dea.cache;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * The metas of recently used frames, so that chaining on a frame just created or polling
 * {@code GET /frames/{key}} does not re-read meta.json each time. Bounded both in entries
 * and in weight (the length of the meta.json file, a fair proxy for the heap a meta takes):
 * a count alone would let 256 metas with 1 MB of provenance code each fill a small heap.
 * A meta heavier than the whole budget is not kept. Thread-safe.
 */
final class RecentMetas {
    static final int DEFAULT_MAX_ENTRIES = 256;
    static final long DEFAULT_MAX_WEIGHT = 8L << 20;

    private record Weighted(FrameMeta meta, long weight) {
    }

    private final int maxEntries;
    private final long maxWeight;
    private final LinkedHashMap<String, Weighted> metas = new LinkedHashMap<>(16, 0.75f, true);
    private long weight;

    RecentMetas(int maxEntries, long maxWeight) {
        if (maxEntries < 0 || maxWeight < 0) {
            throw new IllegalArgumentException("maxEntries and maxWeight must not be negative");
        }
        this.maxEntries = maxEntries;
        this.maxWeight = maxWeight;
    }

    synchronized Optional<FrameMeta> get(String key) {
        Weighted w = metas.get(key);
        return w == null ? Optional.empty() : Optional.of(w.meta());
    }

    synchronized void put(FrameMeta meta, long metaFileBytes) {
        remove(meta.key());
        if (maxEntries == 0 || metaFileBytes > maxWeight) {
            return;
        }
        metas.put(meta.key(), new Weighted(meta, metaFileBytes));
        weight += metaFileBytes;
        Iterator<Weighted> eldestFirst = metas.values().iterator();
        while (metas.size() > maxEntries || weight > maxWeight) {
            weight -= eldestFirst.next().weight();
            eldestFirst.remove();
        }
    }

    synchronized void remove(String key) {
        Weighted w = metas.remove(key);
        if (w != null) {
            weight -= w.weight();
        }
    }

    synchronized int size() {
        return metas.size();
    }
}
