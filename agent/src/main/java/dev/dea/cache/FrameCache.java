package dev.dea.cache;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import dev.dea.config.CacheConfig;
import dev.dea.error.AgentException;
import dev.dea.frame.FrameColumn;
import dev.dea.frame.FrameJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * The on-disk frame cache (docs/frame-format.md). A frame is a directory
 * {@code frames/<key>/} holding {@code rows.jsonl} and {@code meta.json}; it is written
 * under {@code tmp/} and renamed into place, so a frame is either complete or absent.
 * The in-memory index is rebuilt from disk at startup. Last access is kept in memory and
 * mirrored (throttled) into meta.json's mtime, so TTL and LRU order survive restarts.
 * Thread-safe; one process owns a cache directory (enforced with a lock file).
 */
public final class FrameCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FrameCache.class);
    /** How often at most an access is written to disk per frame: a read should not cost a metadata write. */
    static final long TOUCH_INTERVAL_MILLIS = 5_000;

    private final CacheConfig config;
    private final InstantSource clock;
    private final ObjectMapper mapper;
    private final MetaFile metaFile;
    private final FrameExports exports;
    private final CacheDirectory directory;
    private final ConcurrentHashMap<String, Entry> index = new ConcurrentHashMap<>();
    /** Guards every change of {@link #index} together with {@link #totalBytes}. */
    private final Object lock = new Object();
    private long totalBytes;
    private final AtomicLong evictions = new AtomicLong();
    /** Guarded by {@link #lock}. */
    private long lastTtlScan;
    private final AtomicBoolean closed = new AtomicBoolean();

    private static final class Entry {
        final FrameMeta meta;
        final long diskBytes;
        volatile long lastAccess;
        volatile long lastTouch;

        Entry(FrameMeta meta, long diskBytes, long lastAccess) {
            this.meta = meta;
            this.diskBytes = diskBytes;
            this.lastAccess = lastAccess;
            this.lastTouch = lastAccess;
        }
    }

    public FrameCache(CacheConfig config) {
        this(config, InstantSource.system());
    }

    FrameCache(CacheConfig config, InstantSource clock) {
        this.config = requireNonNull(config, "config");
        this.clock = requireNonNull(clock, "clock");
        this.mapper = FrameJson.newMapper();
        // Our own files: a 30 MB text cell or a long jsonb number must read back, not trip a parser limit.
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(Integer.MAX_VALUE)
                .maxNumberLength(1_000_000)
                .maxNameLength(Integer.MAX_VALUE)
                .build());
        this.metaFile = new MetaFile(mapper);
        // BigDecimal keeps jsonb numbers exact in previews; no zero stripping keeps 1.0 from becoming 1.
        this.exports = new FrameExports(mapper, mapper.reader()
                .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES));
        this.directory = new CacheDirectory(config.dir(), metaFile);
        CacheDirectory.Scan scan = directory.scan();
        synchronized (lock) {
            for (CacheDirectory.Found f : scan.frames()) {
                index.put(f.meta().key(), new Entry(f.meta(), f.diskBytes(), f.lastAccessMillis()));
                totalBytes += f.diskBytes();
            }
        }
        CacheStats s = stats();
        log.info("Frame cache opened at {}: {} frames, {} bytes (limit {} bytes, ttl {}); removed {} leftovers",
                config.dir(), s.frames(), s.bytes(), config.maxBytes(), config.ttl(), scan.removed());
        evict();
    }

    /** Starts a new frame; the caller must commit or close the writer. */
    public FrameWriter create(List<FrameColumn> columns, Provenance provenance) {
        requireNonNull(columns, "columns");
        requireNonNull(provenance, "provenance");
        if (closed.get()) {
            throw new IllegalStateException("the frame cache is closed");
        }
        String key = FrameKeys.newKey();
        Path dir = directory.tempDir(key);
        try {
            Files.createDirectory(dir);
            return new FrameWriter(this, key, columns, provenance, dir, config.maxFrameBytes());
        } catch (IOException e) {
            discardTemp(dir);
            throw AgentException.internal("Cannot create a frame in the cache", e);
        }
    }

    /**
     * The frame's metadata, or empty if it is unknown or expired. Counts as an access.
     *
     * @throws AgentException VALIDATION_ERROR if the key is not a lower-case UUID
     */
    public Optional<FrameMeta> find(String key) {
        FrameKeys.requireValid(key);
        Entry e = index.get(key);
        if (e == null) {
            return Optional.empty();
        }
        long now = clock.millis();
        if (expired(e, now)) {
            if (remove(key, e)) {
                evictions.incrementAndGet();
                directory.deleteFrame(key);
                log.debug("Frame {} expired", key);
            }
            return Optional.empty();
        }
        touch(key, e, now);
        return Optional.of(e.meta);
    }

    /** Like {@link #find}, but an unknown or expired frame is a NOT_FOUND error. */
    public FrameMeta get(String key) {
        return find(key).orElseThrow(() -> AgentException.notFound(
                "Frame " + key + " was not found; it may have expired or been evicted"));
    }

    /** The first {@code maxRows} rows, each a JSON array of values in the wire encoding. */
    public List<JsonNode> previewRows(String key, int maxRows) {
        if (maxRows < 0) {
            throw AgentException.validation("maxRows must not be negative");
        }
        get(key);
        try (InputStream in = open(key)) {
            return exports.previewRows(in, maxRows);
        } catch (IOException e) {
            throw AgentException.internal("Cannot read frame " + key, e);
        }
    }

    /**
     * Streams {@code {"columns":[names],"rows":[[...],...]}} to {@code out}, which is
     * flushed, not closed. I/O errors once streaming has started (e.g. the client went
     * away) surface as {@link UncheckedIOException}.
     */
    public void writeJson(String key, OutputStream out) {
        FrameMeta meta = get(key);
        try (InputStream in = open(key)) {
            exports.writeJson(meta.columns().stream().map(ColumnMeta::name).toList(), in, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Streams the frame as RFC 4180 CSV with a header; same stream rules as {@link #writeJson}. */
    public void writeCsv(String key, OutputStream out) {
        FrameMeta meta = get(key);
        try (InputStream in = open(key)) {
            exports.writeCsv(meta.columns().stream().map(ColumnMeta::name).toList(), in, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The frame's rows.jsonl; meta.json is its sibling. The files may be deleted by
     * eviction at any time: open them promptly (an open file stays readable) and treat
     * a missing file as NOT_FOUND.
     */
    public Path dataFile(String key) {
        get(key);
        return directory.rowsFile(key);
    }

    /** Deletes a frame; false if there was none. */
    public boolean delete(String key) {
        FrameKeys.requireValid(key);
        Entry e = index.get(key);
        if (e == null || !remove(key, e)) {
            return false;
        }
        directory.deleteFrame(key);
        log.debug("Deleted frame {}", key);
        return true;
    }

    /**
     * Removes frames not accessed for the TTL, then the least recently accessed frames
     * until the cache fits {@code maxBytes}.
     *
     * @return the number of frames evicted
     */
    /**
     * The cache's root directory. At most one agent holds it (a file lock), which makes it a
     * safe identity for resources the agent owns elsewhere, such as its sandbox containers.
     */
    /**
     * Opens a frame's rows file for streaming. Open promptly after {@link #get}: an open file
     * stays readable if the frame is evicted meanwhile, a frame evicted before is NOT_FOUND.
     */
    public java.io.InputStream openRows(String key) {
        try {
            return java.nio.file.Files.newInputStream(dataFile(key));
        } catch (java.nio.file.NoSuchFileException e) {
            throw AgentException.notFound("Frame " + key + " was evicted while being read");
        } catch (IOException e) {
            throw AgentException.internal("Cannot read frame " + key, e);
        }
    }

    public java.nio.file.Path directory() {
        return config.dir();
    }

    public int evict() {
        return evict(null, true);
    }

    public CacheStats stats() {
        synchronized (lock) {
            return new CacheStats(index.size(), totalBytes, evictions.get(), config.maxBytes());
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        directory.release();
        CacheStats s = stats();
        log.info("Frame cache closed: {} frames, {} bytes, {} evictions", s.frames(), s.bytes(), s.evictions());
    }

    // ---- used by FrameWriter ----

    ObjectMapper mapper() {
        return mapper;
    }

    MetaFile metaFile() {
        return metaFile;
    }

    Instant now() {
        return clock.instant();
    }

    /** Makes a fully written frame directory visible, then evicts (never the new frame). */
    void publish(Path dir, FrameMeta meta, long diskBytes) throws IOException {
        synchronized (lock) {
            directory.publish(dir, meta.key());
            index.put(meta.key(), new Entry(meta, diskBytes, clock.millis()));
            totalBytes += diskBytes;
        }
        log.debug("Committed frame {}: {} rows, {} bytes", meta.key(), meta.rowCount(), meta.bytes());
        evict(meta.key(), false);
    }

    void discardTemp(Path dir) {
        directory.discard(dir);
    }

    // ---- internals ----

    /**
     * Evicts expired frames, then least recently used ones while over the size limit. After a
     * commit the TTL scan runs at most every {@link #ttlScanIntervalMillis()}: a scan of every
     * frame on every commit made small queries quadratic in the number of cached frames
     * (bench (b)); lookups already treat an expired frame as absent in between.
     */
    private int evict(String keep, boolean forceTtlScan) {
        List<String> victims = new ArrayList<>();
        int expired = 0;
        long freed = 0;
        synchronized (lock) {
            long now = clock.millis();
            boolean scanTtl = forceTtlScan || now - lastTtlScan >= ttlScanIntervalMillis();
            if (scanTtl) {
                lastTtlScan = now;
            }
            for (Map.Entry<String, Entry> en : scanTtl ? index.entrySet() : java.util.Set.<Map.Entry<String, Entry>>of()) {
                if (!en.getKey().equals(keep) && expired(en.getValue(), now) && remove(en.getKey(), en.getValue())) {
                    victims.add(en.getKey());
                    freed += en.getValue().diskBytes;
                    expired++;
                }
            }
            if (totalBytes > config.maxBytes()) {
                // Access times are volatile: sort a snapshot, or the comparator could see them change.
                record Candidate(String key, Entry entry, long lastAccess) {
                }
                List<Candidate> byAccess = new ArrayList<>();
                index.forEach((k, e) -> byAccess.add(new Candidate(k, e, e.lastAccess)));
                byAccess.sort(Comparator.comparingLong(Candidate::lastAccess));
                for (Candidate c : byAccess) {
                    if (totalBytes <= config.maxBytes()) {
                        break;
                    }
                    // The frame just committed stays even if it alone exceeds the limit (it is within maxFrameBytes).
                    if (!c.key().equals(keep) && remove(c.key(), c.entry())) {
                        victims.add(c.key());
                        freed += c.entry().diskBytes;
                    }
                }
            }
        }
        for (String key : victims) {
            directory.deleteFrame(key);
        }
        if (!victims.isEmpty()) {
            evictions.addAndGet(victims.size());
            CacheStats s = stats();
            log.info("Evicted {} frames ({} bytes): {} expired, {} over the size limit; cache now {} frames, {} bytes",
                    victims.size(), freed, expired, victims.size() - expired, s.frames(), s.bytes());
        }
        return victims.size();
    }

    private long ttlScanIntervalMillis() {
        return Math.max(1_000, Math.min(config.ttl().toMillis() / 10, 60_000));
    }

    private boolean expired(Entry e, long now) {
        return now - e.lastAccess > config.ttl().toMillis();
    }

    private boolean remove(String key, Entry e) {
        synchronized (lock) {
            if (index.remove(key, e)) {
                totalBytes -= e.diskBytes;
                return true;
            }
            return false;
        }
    }

    private void touch(String key, Entry e, long now) {
        e.lastAccess = now;
        if (now - e.lastTouch >= TOUCH_INTERVAL_MILLIS) {
            e.lastTouch = now;
            try {
                Files.setLastModifiedTime(directory.metaFile(key), FileTime.fromMillis(now));
            } catch (IOException ex) {
                // Evicted meanwhile, or a read-only disk: the in-memory time still orders evictions.
                log.debug("Could not record the access time of frame {}: {}", key, ex.toString());
            }
        }
    }

    private InputStream open(String key) {
        try {
            return Files.newInputStream(directory.rowsFile(key));
        } catch (NoSuchFileException e) {
            throw AgentException.notFound("Frame " + key + " was evicted while being read");
        } catch (IOException e) {
            throw AgentException.internal("Cannot read frame " + key, e);
        }
    }
}
