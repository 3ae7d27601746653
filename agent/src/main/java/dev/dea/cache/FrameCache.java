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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * The on-disk frame cache (docs/frame-format.md). A frame is a directory
 * {@code frames/<key>/} holding the column files and {@code meta.json}; it is written
 * under {@code tmp/} and renamed into place, so a frame is either complete or absent.
 * The in-memory {@link FrameIndex} is rebuilt from disk at startup and holds only sizes
 * and access times; a frame's {@link FrameMeta} is read from meta.json when asked for,
 * with the most recently used kept in {@link RecentMetas}. Last access is kept in memory
 * and mirrored (throttled) into meta.json's mtime, so TTL and LRU order survive restarts.
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
    private final FrameIndex index;
    private final RecentMetas metas;
    private final AtomicLong evictions = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    public FrameCache(CacheConfig config) {
        this(config, InstantSource.system());
    }

    FrameCache(CacheConfig config, InstantSource clock) {
        this(config, clock, RecentMetas.DEFAULT_MAX_ENTRIES);
    }

    /** {@code recentMetas}: how many metas to keep in memory (tests make it small to force reads from disk). */
    FrameCache(CacheConfig config, InstantSource clock, int recentMetas) {
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
        this.index = new FrameIndex(config.ttl().toMillis(), TOUCH_INTERVAL_MILLIS);
        this.metas = new RecentMetas(recentMetas, RecentMetas.DEFAULT_MAX_WEIGHT);
        this.directory = new CacheDirectory(config.dir(), metaFile);
        CacheDirectory.Scan scan = directory.scan();
        // Oldest access first: the index's order is then the order of the access times.
        List<CacheDirectory.Found> found = new ArrayList<>(scan.frames());
        found.sort(Comparator.comparingLong(CacheDirectory.Found::lastAccessMillis));
        for (CacheDirectory.Found f : found) {
            index.add(f.key(), f.diskBytes(), f.lastAccessMillis());
        }
        CacheStats s = stats();
        log.info("Frame cache opened at {}: {} frames, {} bytes (limits {} bytes, {} frames, ttl {}); removed {} leftovers",
                config.dir(), s.frames(), s.bytes(), config.maxBytes(), config.maxFrames(), config.ttl(), scan.removed());
        evict();
    }

    /**
     * Starts a new frame; the caller must commit or close the writer.
     *
     * @throws AgentException RESULT_TOO_LARGE for more than {@link FrameWriter#MAX_COLUMNS} columns
     */
    public FrameWriter create(List<FrameColumn> columns, Provenance provenance) {
        requireNonNull(columns, "columns");
        requireNonNull(provenance, "provenance");
        FrameWriter.requireWidth(columns.size());
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
        return access(key) ? meta(key) : Optional.empty();
    }

    /** A page of the live frames, most recently used first; listing counts as no access. */
    public FrameListing.Page list(FrameListing.Query query) {
        return FrameListing.page(index.newestFirst(), this::meta, query, config.ttl(), clock.instant());
    }

    /** The most bytes of values a preview holds, from {@code PREVIEW_MAX_BYTES}. */
    public long previewMaxBytes() {
        return config.previewMaxBytes();
    }

    /** Like {@link #find}, but an unknown or expired frame is a NOT_FOUND error. */
    public FrameMeta get(String key) {
        return find(key).orElseThrow(() -> notFound(key));
    }

    /**
     * The first {@code maxRows} rows, each a JSON array of values in the wire encoding, and
     * fewer when they would hold more than {@link #previewMaxBytes()} of JSON.
     */
    public List<JsonNode> previewRows(String key, int maxRows) {
        if (maxRows < 0) {
            throw AgentException.validation("maxRows must not be negative");
        }
        requireLive(key);
        try (InputStream in = open(key)) {
            return exports.previewRows(in, maxRows, config.previewMaxBytes());
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
     * The frame's directory (meta.json and the column files, docs/frame-format.md). The files
     * may be deleted by eviction at any time: open them promptly (an open file stays readable)
     * and treat a missing file as NOT_FOUND.
     */
    public Path frameDirectory(String key) {
        requireLive(key);
        return directory.frameDir(key);
    }

    /**
     * Opens a frame as JSON rows (one array per line, the encoding of previews and exports).
     * Open promptly after {@link #get}: open files stay readable if the frame is evicted
     * meanwhile, a frame evicted before is NOT_FOUND.
     */
    public InputStream openRows(String key) {
        requireLive(key);
        return open(key);
    }

    /** Opens a frame's column files for sending them as they are (to a sandbox); same rules as {@link #openRows}. */
    public FrameData openData(String key) {
        requireLive(key);
        return open(key, FrameData::new);
    }

    /**
     * The cache's root directory. At most one agent holds it (a file lock), which makes it a
     * safe identity for resources the agent owns elsewhere, such as its sandbox containers.
     */
    public Path directory() {
        return config.dir();
    }

    /** Deletes a frame; false if there was none. */
    public boolean delete(String key) {
        FrameKeys.requireValid(key);
        if (!index.remove(key)) {
            return false;
        }
        metas.remove(key);
        directory.deleteFrame(key);
        log.debug("Deleted frame {}", key);
        return true;
    }

    /**
     * Removes frames not accessed for the TTL, then the least recently accessed frames
     * while the cache exceeds {@code maxBytes} or {@code maxFrames}.
     *
     * @return the number of frames evicted
     */
    public int evict() {
        return evict(false);
    }

    public CacheStats stats() {
        FrameIndex.Totals t = index.totals();
        return new CacheStats(t.frames(), t.bytes(), evictions.get(), config.maxBytes(), config.maxFrames());
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

    /**
     * Makes a fully written frame directory visible, then evicts (never the new frame, pinned
     * meanwhile). With {@code keepPinned} the pin is the caller's to release ({@link FramePin}).
     * The meta is remembered: the next step usually chains on the frame just created.
     */
    void publish(Path dir, FrameMeta meta, long metaFileBytes, boolean keepPinned) throws IOException {
        directory.publish(dir, meta.key());
        index.add(meta.key(), meta.bytes() + metaFileBytes, clock.millis(), true);
        remember(meta, metaFileBytes);
        log.debug("Committed frame {}: {} rows, {} bytes", meta.key(), meta.rowCount(), meta.bytes());
        try {
            evict(true);
        } finally {
            if (!keepPinned) {
                index.unpin(meta.key());
            }
        }
    }

    /** A {@link FramePin} closed: the frame may go again, and limits it held off apply now. */
    void unpin(String key) {
        index.unpin(key);
        evict(true);
    }

    /** How many frames are pinned now (tests, diagnostics). */
    int pinnedFrames() {
        return index.pinned();
    }

    void discardTemp(Path dir) {
        directory.discard(dir);
    }

    // ---- internals ----

    /**
     * Evicts expired frames, then least recently used ones while over a limit. The index
     * yields the victims from its least recently used end, so this costs the number of
     * victims, not the number of frames (sorting every frame on every commit made small
     * queries quadratic). {@code quiet}: on a request's path, where at a limit every commit
     * evicts, so the line is DEBUG.
     */
    private int evict(boolean quiet) {
        FrameIndex.Victims victims = index.evict(clock.millis(), config.maxBytes(), config.maxFrames());
        for (String key : victims.keys()) {
            metas.remove(key);
            directory.deleteFrame(key);
        }
        int count = victims.keys().size();
        if (count > 0) {
            evictions.addAndGet(count);
            CacheStats s = stats();
            // At a limit every commit evicts: that steady state is not worth an INFO line per request.
            String message = "Evicted {} frames ({} bytes): {} expired, {} over the size or frame limit; cache now {} frames, {} bytes";
            Object[] args = {count, victims.bytes(), victims.expired(), count - victims.expired(), s.frames(), s.bytes()};
            if (quiet) {
                log.debug(message, args);
            } else {
                log.info(message, args);
            }
        }
        return count;
    }

    /** Counts an access; false if the frame is unknown or has expired (which deletes it). */
    private boolean access(String key) {
        FrameKeys.requireValid(key);
        long now = clock.millis();
        switch (index.access(key, now)) {
            case ABSENT -> {
                return false;
            }
            case EXPIRED -> {
                evictions.incrementAndGet();
                metas.remove(key);
                directory.deleteFrame(key);
                log.debug("Frame {} expired", key);
                return false;
            }
            case HIT_TOUCH_DUE -> touch(key, now);
            case HIT -> {
            }
        }
        return true;
    }

    private void requireLive(String key) {
        if (!access(key)) {
            throw notFound(key);
        }
    }

    /**
     * Reads the meta of an indexed frame. A meta.json that vanished means the frame was
     * evicted or deleted meanwhile; one that cannot be parsed makes the frame unusable, so it
     * is dropped (each lookup would otherwise fail again) rather than answered with an error.
     */
    private Optional<FrameMeta> meta(String key) {
        Optional<FrameMeta> recent = metas.get(key);
        if (recent.isPresent()) {
            return recent;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(directory.metaFile(key));
        } catch (NoSuchFileException e) {
            // Usually evicted concurrently (then a no-op); if removed behind our back, forget it.
            index.remove(key);
            return Optional.empty();
        } catch (IOException e) {
            throw AgentException.internal("Cannot read frame " + key, e);
        }
        FrameMeta meta;
        try {
            meta = metaFile.parse(bytes);
            if (!meta.key().equals(key)) {
                throw new IOException("meta.json belongs to another frame");
            }
        } catch (IOException | RuntimeException e) {
            log.warn("Dropping frame {}: its meta.json is unreadable ({})", key, CacheDirectory.reason(e));
            if (index.remove(key)) {
                directory.deleteFrame(key);
            }
            return Optional.empty();
        }
        remember(meta, bytes.length);
        return Optional.of(meta);
    }

    private void remember(FrameMeta meta, long metaFileBytes) {
        metas.put(meta, metaFileBytes);
        // Evicted or deleted meanwhile (which removes the index entry, then the meta): do not keep it.
        if (!index.contains(meta.key())) {
            metas.remove(meta.key());
        }
    }

    private void touch(String key, long now) {
        try {
            Files.setLastModifiedTime(directory.metaFile(key), FileTime.fromMillis(now));
        } catch (IOException ex) {
            // Evicted meanwhile, or a read-only disk: the in-memory time still orders evictions.
            log.debug("Could not record the access time of frame {}: {}", key, ex.toString());
        }
    }

    private static AgentException notFound(String key) {
        return AgentException.notFound("Frame " + key + " was not found; it may have expired or been evicted");
    }

    private InputStream open(String key) {
        return open(key, JsonRows::new);
    }

    /** How a reader of a frame's files is opened: all files at once, from the directory and the meta. */
    private interface Opener<T> {
        T open(Path dir, FrameMeta meta) throws IOException;
    }

    private <T> T open(String key, Opener<T> opener) {
        FrameMeta meta = meta(key).orElseThrow(() -> notFound(key));
        try {
            return opener.open(directory.frameDir(key), meta);
        } catch (NoSuchFileException e) {
            throw AgentException.notFound("Frame " + key + " was evicted while being read");
        } catch (IOException e) {
            throw AgentException.internal("Cannot read frame " + key, e);
        }
    }
}
