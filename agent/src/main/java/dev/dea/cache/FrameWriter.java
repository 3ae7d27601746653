package dev.dea.cache;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.frame.ColumnStats;
import dev.dea.frame.FrameColumn;
import dev.dea.frame.FrameValues;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Writes one frame into a private temporary directory; {@link #commit()} publishes it
 * atomically, {@link #close()} without a commit leaves nothing behind. Obtained from
 * {@link FrameCache#create}. Not thread-safe: one writer belongs to one producer.
 */
public final class FrameWriter implements AutoCloseable {
    // 64 KiB: large sequential writes for big frames, yet a one-row frame (the common small query)
    // no longer allocates a megabyte (it dominated the allocation rate of small queries).
    private static final int BUFFER_BYTES = 1 << 16;

    private enum State { OPEN, FAILED, COMMITTED, DISCARDED }

    private final FrameCache cache;
    private final String key;
    private final List<FrameColumn> columns;
    private final Provenance provenance;
    private final Path dir;
    private final long maxFrameBytes;
    private final ColumnStats[] stats;
    private final FrameFiles.CountingOutputStream counted;
    private final JsonGenerator generator;
    private long rows;
    private boolean truncated;
    private State state = State.OPEN;

    FrameWriter(FrameCache cache, String key, List<FrameColumn> columns, Provenance provenance, Path dir,
                long maxFrameBytes) throws IOException {
        this.cache = cache;
        this.key = key;
        this.columns = List.copyOf(columns);
        this.provenance = provenance;
        this.dir = dir;
        this.maxFrameBytes = maxFrameBytes;
        this.stats = new ColumnStats[this.columns.size()];
        for (int i = 0; i < stats.length; i++) {
            stats[i] = new ColumnStats(this.columns.get(i).kind());
        }
        this.counted = new FrameFiles.CountingOutputStream(new BufferedOutputStream(
                Files.newOutputStream(dir.resolve(MetaFile.ROWS), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE), BUFFER_BYTES));
        this.generator = cache.mapper().getFactory().createGenerator(counted, JsonEncoding.UTF8);
        // Rows are separated by the '\n' written after each one, not by Jackson's root separator (a space).
        this.generator.setRootValueSeparator(null);
    }

    public String key() {
        return key;
    }

    public long rowCount() {
        return rows;
    }

    /**
     * Appends one row of the Java values {@link FrameValues} documents.
     *
     * @throws AgentException RESULT_TOO_LARGE once the rows exceed the configured frame size
     *                        limit; the writer is then discarded and unusable
     */
    public void append(Object[] row) {
        requireState(State.OPEN);
        requireNonNull(row, "row");
        if (row.length != stats.length) {
            throw new IllegalArgumentException("row has " + row.length + " values, the frame has "
                    + stats.length + " columns");
        }
        try {
            generator.writeStartArray();
            for (int i = 0; i < row.length; i++) {
                Object value = row[i];
                stats[i].accept(value);
                FrameValues.write(generator, onDisk(value));
            }
            generator.writeEndArray();
            generator.writeRaw('\n');
        } catch (IOException | RuntimeException e) {
            discard();
            state = State.FAILED;
            throw AgentException.internal("Could not write frame " + key, e);
        }
        rows++;
        if (counted.count() + generator.getOutputBuffered() > maxFrameBytes) {
            discard();
            state = State.FAILED;
            throw new AgentException(ErrorType.RESULT_TOO_LARGE,
                    "The result is larger than the frame size limit of " + maxFrameBytes
                            + " bytes (FRAME_MAX_BYTES); select fewer rows or columns",
                    Map.of("max_frame_bytes", maxFrameBytes), null);
        }
    }

    /** Records that the source had more rows than were kept. */
    public void markTruncated() {
        requireState(State.OPEN);
        truncated = true;
    }

    /**
     * Finishes the rows file, writes meta.json last and publishes the frame atomically;
     * from then on {@link FrameCache#find} sees it. Eviction runs afterwards, but never
     * evicts the frame just committed.
     */
    public FrameMeta commit() {
        requireState(State.OPEN);
        try {
            generator.close();
            long dataBytes = counted.count();
            List<ColumnMeta> columnMetas = new ArrayList<>(columns.size());
            for (int i = 0; i < stats.length; i++) {
                FrameColumn c = columns.get(i);
                columnMetas.add(new ColumnMeta(c.name(), c.kind(), c.sourceType(),
                        c.kind().pandasDtype(stats[i].nullCount() > 0), stats[i].toMap()));
            }
            Instant createdAt = cache.now();
            MetaFile metaFile = cache.metaFile();
            byte[] metaBytes = metaFile.toBytes(new FrameMeta(key, columnMetas, rows, dataBytes, truncated,
                    createdAt, provenance));
            // Reparsed so the committed meta (stats in their JSON form) equals what a restart reads back.
            FrameMeta meta = metaFile.parse(metaBytes);
            Files.write(dir.resolve(MetaFile.META), metaBytes, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            cache.publish(dir, meta, metaBytes.length);
            state = State.COMMITTED;
            return meta;
        } catch (IOException | RuntimeException e) {
            discard();
            state = State.FAILED;
            if (e instanceof AgentException agent) {
                throw agent;
            }
            throw AgentException.internal("Could not commit frame " + key, e);
        }
    }

    /** Discards the frame unless it was committed. Idempotent. */
    @Override
    public void close() {
        if (state == State.OPEN) {
            discard();
            state = State.DISCARDED;
        }
    }

    private void discard() {
        try {
            generator.close();
        } catch (IOException | RuntimeException ignored) {
            // The data is thrown away; a failing close changes nothing.
        }
        cache.discardTemp(dir);
    }

    private void requireState(State expected) {
        if (state != expected) {
            throw new IllegalStateException("frame writer " + key + " is " + state.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /**
     * A json column's text is written verbatim, and PostgreSQL keeps the original text of
     * {@code json} values, line breaks included. Outside strings they are insignificant
     * whitespace (inside strings JSON requires escapes), so they become spaces: a raw '\n'
     * in rows.jsonl must only ever end a row.
     */
    static Object onDisk(Object value) {
        if (value instanceof FrameValues.RawJson json) {
            String text = json.json();
            if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
                return new FrameValues.RawJson(text.replace('\n', ' ').replace('\r', ' '));
            }
        } else if (value instanceof Object[] array) {
            Object[] copy = null;
            for (int i = 0; i < array.length; i++) {
                Object element = onDisk(array[i]);
                if (element != array[i]) {
                    if (copy == null) {
                        copy = array.clone();
                    }
                    copy[i] = element;
                }
            }
            return copy == null ? array : copy;
        }
        return value;
    }
}
