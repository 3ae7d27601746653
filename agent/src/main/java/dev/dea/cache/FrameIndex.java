package dev.dea.cache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cache's in-memory index: per frame only its size on disk and access times, in
 * least-recently-accessed-first order, with the byte and frame totals. It holds no
 * {@link FrameMeta}: with many small frames the metas (stats maps, provenance code of up
 * to 1 MB) filled the heap. Access order is kept by a {@link LinkedHashMap}, so the next
 * victim is always the eldest entry and eviction never sorts. Thread-safe: every method
 * holds this object's monitor, briefly and without I/O.
 */
final class FrameIndex {
    /** What {@link #access} found. */
    enum Access {
        /** Unknown key. */
        ABSENT,
        /** The frame had expired; it is now removed from the index and its files should go. */
        EXPIRED,
        /** A live frame, now the most recently accessed. */
        HIT,
        /** Like {@link #HIT}, and the access should also be written to meta.json's mtime. */
        HIT_TOUCH_DUE
    }

    /** Frames to delete, and how many of them had expired (the rest were over a limit). */
    record Victims(List<String> keys, int expired, long bytes) {
        static final Victims NONE = new Victims(List.of(), 0, 0);
    }

    /** A consistent count of the index. */
    record Totals(int frames, long bytes) {
    }

    private static final class Entry {
        final long diskBytes;
        long lastAccess;
        long lastTouch;

        Entry(long diskBytes, long lastAccess) {
            this.diskBytes = diskBytes;
            this.lastAccess = lastAccess;
            this.lastTouch = lastAccess;
        }
    }

    private final long ttlMillis;
    private final long touchIntervalMillis;
    /** Access order: iteration starts at the least recently accessed frame. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    /** Pinned frames and their pin counts: never evicted, never expired (see {@link FramePin}). */
    private final Map<String, Integer> pins = new HashMap<>();
    private long totalBytes;

    FrameIndex(long ttlMillis, long touchIntervalMillis) {
        this.ttlMillis = ttlMillis;
        this.touchIntervalMillis = touchIntervalMillis;
    }

    /**
     * Adds a frame as the most recently accessed. Frames loaded at startup must be added in
     * ascending order of last access, so that the order of the map is the order of the times.
     */
    synchronized void add(String key, long diskBytes, long lastAccess) {
        add(key, diskBytes, lastAccess, false);
    }

    /** As {@link #add(String, long, long)}, pinned in the same step when {@code pinned}. */
    synchronized void add(String key, long diskBytes, long lastAccess, boolean pinned) {
        if (pinned) {
            pins.merge(key, 1, Integer::sum);
        }
        Entry previous = entries.put(key, new Entry(diskBytes, lastAccess));
        if (previous != null) {
            totalBytes -= previous.diskBytes;
        }
        totalBytes += diskBytes;
    }

    /** Looks a frame up as an access: a live frame becomes the most recently accessed. */
    synchronized Access access(String key, long now) {
        Entry e = entries.get(key);
        if (e == null) {
            return Access.ABSENT;
        }
        if (now - e.lastAccess > ttlMillis && !pins.containsKey(key)) {
            removeEntry(key);
            return Access.EXPIRED;
        }
        e.lastAccess = now;
        if (now - e.lastTouch >= touchIntervalMillis) {
            e.lastTouch = now;
            return Access.HIT_TOUCH_DUE;
        }
        return Access.HIT;
    }

    synchronized boolean contains(String key) {
        // Not get(): a membership test is no access and must not reorder.
        return entries.containsKey(key);
    }

    /** Removes a frame; false if it was not indexed. */
    synchronized boolean remove(String key) {
        return removeEntry(key);
    }

    /** Releases one pin of a frame (a no-op for one not pinned). */
    synchronized void unpin(String key) {
        pins.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
    }

    synchronized int pinned() {
        return pins.size();
    }

    /** A frame as a listing sees it. */
    record Listed(String key, long diskBytes, long lastAccess) {
    }

    /** Every frame, most recently accessed first; no access is counted. */
    synchronized List<Listed> newestFirst() {
        List<Listed> all = new ArrayList<>(entries.size());
        entries.forEach((key, e) -> all.add(new Listed(key, e.diskBytes, e.lastAccess)));
        return all.reversed();
    }

    synchronized Totals totals() {
        return new Totals(entries.size(), totalBytes);
    }

    /**
     * Removes and returns the frames to evict: from the least recently accessed end, every
     * expired frame, then more while the totals exceed {@code maxBytes} or {@code maxFrames}.
     * Stops at the first frame that is neither, so the cost is the number of victims, not
     * the size of the cache. A pinned frame is never a victim.
     */
    synchronized Victims evict(long now, long maxBytes, int maxFrames) {
        List<String> victims = null;
        int expired = 0;
        long freed = 0;
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            boolean over = totalBytes > maxBytes || entries.size() > maxFrames;
            Map.Entry<String, Entry> next = it.next();
            boolean isExpired = now - next.getValue().lastAccess > ttlMillis;
            if (!over && !isExpired) {
                // Later entries were accessed more recently: none of them has expired either.
                break;
            }
            if (pins.containsKey(next.getKey())) {
                continue;
            }
            it.remove();
            totalBytes -= next.getValue().diskBytes;
            freed += next.getValue().diskBytes;
            if (isExpired) {
                expired++;
            }
            if (victims == null) {
                victims = new ArrayList<>();
            }
            victims.add(next.getKey());
        }
        return victims == null ? Victims.NONE : new Victims(List.copyOf(victims), expired, freed);
    }

    private boolean removeEntry(String key) {
        Entry e = entries.remove(key);
        if (e == null) {
            return false;
        }
        totalBytes -= e.diskBytes;
        return true;
    }
}
