package dev.dea.cache;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.ColumnStats;
import dev.dea.frame.FrameColumn;
import dev.dea.frame.FrameValues;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static java.util.Objects.requireNonNull;

/**
 * Writes one frame into a private temporary directory, column by column (docs/frame-format.md,
 * "Columns on disk"); {@link #commit()} publishes it atomically, {@link #close()} without a
 * commit leaves nothing behind. Obtained from {@link FrameCache#create}. Rows come either one
 * at a time ({@link #append}) or, from a sandbox, as whole columns in the stored layout
 * ({@link #receive}). Not thread-safe: one writer belongs to one producer.
 */
public final class FrameWriter implements AutoCloseable {
    /**
     * Most columns one frame holds: MySQL's own limit for a table (PostgreSQL's select list stops
     * at 1,664). While a frame is written each column is a few open files, so a caller's upload
     * with a 100,000-field header must not get that far.
     */
    public static final int MAX_COLUMNS = 4096;

    private enum State { OPEN, FAILED, COMMITTED, DISCARDED }

    private final FrameCache cache;
    private final String key;
    private final List<FrameColumn> columns;
    private final Provenance provenance;
    private final Path dir;
    private final long maxFrameBytes;
    private final ColumnStats[] stats;
    /** Copied columns as their frame recorded them: their stats and dtype are kept (stats[i] stays empty). */
    private final Map<Integer, ColumnMeta> copied = new HashMap<>();
    /** Created by the first append (or the commit of an empty frame); a received frame has none. */
    private ColumnAppender[] appenders;
    private List<List<ColumnMeta.Buffer>> received;
    private long rows;
    private boolean truncated;
    private State state = State.OPEN;

    FrameWriter(FrameCache cache, String key, List<FrameColumn> columns, Provenance provenance, Path dir,
                long maxFrameBytes) {
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
        if (received != null) {
            throw new IllegalStateException("frame writer " + key + " received its columns already");
        }
        long bytes = 0;
        try {
            openAppenders();
            for (int i = 0; i < row.length; i++) {
                Object value = onDisk(row[i]);
                if (value instanceof Object[] array) {
                    // Stored, and so counted in the stats, as its JSON text: as a sandbox's arrays arrive.
                    value = new FrameValues.RawJson(ColumnAppender.json(array));
                }
                stats[i].accept(value);
                appenders[i].append(value);
                bytes += appenders[i].bytes();
            }
        } catch (IOException | RuntimeException e) {
            fail();
            throw AgentException.internal("Could not write frame " + key, e);
        }
        rows++;
        if (bytes > maxFrameBytes) {
            fail();
            throw tooLarge();
        }
    }

    /**
     * Reads a whole frame of {@code rowCount} rows in the stored layout from {@code in}: for each
     * {@link ColumnSource.Wire} column its buffers as {@link ColumnLayout#wireBuffers} lists them, of the
     * announced sizes; a {@link ColumnSource.Copy} column comes from its frame (kind and row count checked),
     * a {@link ColumnSource.Gather} column is its frame's rows at its positions (checked as it is stored).
     * Every value read is checked; a frame that breaks the layout is an IOException (the producer broke
     * the protocol) and nothing is kept. Only on a writer that has not appended rows.
     *
     * @throws AgentException RESULT_TOO_LARGE when the announced sizes exceed the frame size limit
     *                        (checked before anything is read)
     */
    public void receive(InputStream in, long rowCount, List<? extends ColumnSource> sources) throws IOException {
        requireState(State.OPEN);
        if (appenders != null || received != null) {
            throw new IllegalStateException("frame writer " + key + " already holds rows");
        }
        if (sources.size() != columns.size() || rowCount < 0) {
            fail();
            throw new ColumnIntake.BadColumnException("the frame has " + columns.size() + " columns, buffers came for "
                    + sources.size());
        }
        List<List<ColumnMeta.Buffer>> buffers = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            try {
                buffers.add(sources.get(i).announced(i, columns.get(i).kind(), rowCount));
            } catch (IOException e) {
                fail();
                throw e;
            }
        }
        // Each size on its own first: a sum of sizes near Long.MAX_VALUE could wrap below the limit. Every row takes
        // at least a validity byte, so more rows than the limit has bytes cannot fit either.
        boolean over = rowCount > maxFrameBytes;
        long announced = 0;
        for (List<ColumnMeta.Buffer> column : buffers) {
            for (ColumnMeta.Buffer b : column) {
                over |= b.bytes() > maxFrameBytes;
                announced = over ? announced : announced + b.bytes();
            }
        }
        if (over || announced > maxFrameBytes) {
            fail();
            throw tooLarge();
        }
        List<List<ColumnMeta.Buffer>> stored = new ArrayList<>(Collections.nCopies(columns.size(), null));
        // Columns made from stored frames and checked read nothing from the stream: they are made on other threads
        // while the wire columns are read (the runner has answered; on 2 cores this halves a gathered frame's time).
        // Leaving the block waits for them, so a failure never deletes files still being written.
        try (ExecutorService aside = Executors.newVirtualThreadPerTaskExecutor()) {
            Map<Integer, Future<List<ColumnMeta.Buffer>>> made = new HashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                int index = i;
                if (sources.get(i) instanceof ColumnSource.Copy copy && copy.decimalFloats()) {
                    made.put(i, aside.submit(() -> ColumnIntake.check(dir, index, ColumnKind.FLOAT64, rowCount,
                            copy.frame().copyDecimalFloats(copy.column(), dir, index), stats[index])));
                } else if (sources.get(i) instanceof ColumnSource.Gather g) {
                    ColumnKind kind = g.decimalFloats() ? ColumnKind.FLOAT64 : columns.get(i).kind();
                    made.put(i, aside.submit(() -> ColumnIntake.check(dir, index, kind, rowCount,
                            g.frame().gather(g.column(), g.positions(), g.decimalFloats(), dir, index), stats[index])));
                }
            }
            for (int i = 0; i < columns.size(); i++) {
                if (made.containsKey(i)) {
                    continue;
                }
                if (sources.get(i) instanceof ColumnSource.Copy copy) {
                    stored.set(i, copy.frame().copyColumn(copy.column(), dir, i));
                    copied.put(i, copy.frame().meta().columns().get(copy.column()));
                } else {
                    stored.set(i, ColumnIntake.receive(in, dir, i, columns.get(i).kind(), rowCount, buffers.get(i), stats[i]));
                }
            }
            for (Map.Entry<Integer, Future<List<ColumnMeta.Buffer>>> e : made.entrySet()) {
                stored.set(e.getKey(), await(e.getValue()));
            }
        } catch (IOException | RuntimeException e) {
            fail();
            throw e;
        }
        received = stored;
        rows = rowCount;
    }

    private static List<ColumnMeta.Buffer> await(Future<List<ColumnMeta.Buffer>> column) throws IOException {
        try {
            return column.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while a column was made");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        }
    }

    /**
     * @throws AgentException RESULT_TOO_LARGE for more than {@link #MAX_COLUMNS} columns
     */
    public static void requireWidth(int columns) {
        if (columns > MAX_COLUMNS) {
            throw new AgentException(ErrorType.RESULT_TOO_LARGE, "The frame would have " + columns
                    + " columns; a frame holds at most " + MAX_COLUMNS,
                    Map.of("columns", columns, "max_columns", MAX_COLUMNS), null);
        }
    }

    private AgentException tooLarge() {
        return new AgentException(ErrorType.RESULT_TOO_LARGE,
                "The result is larger than the frame size limit of " + maxFrameBytes
                        + " bytes (FRAME_MAX_BYTES); select fewer rows or columns",
                Map.of("max_frame_bytes", maxFrameBytes), null);
    }

    private void openAppenders() throws IOException {
        if (appenders != null) {
            return;
        }
        int files = columns.stream().mapToInt(c -> ColumnLayout.diskBuffers(c.kind()).size()).sum();
        int bufferBytes = BufferWriter.bufferBytesFor(files);
        appenders = new ColumnAppender[columns.size()];
        for (int i = 0; i < appenders.length; i++) {
            appenders[i] = new ColumnAppender(dir, i, columns.get(i).kind(), bufferBytes);
        }
    }

    /** Records that the source had more rows than were kept. */
    public void markTruncated() {
        requireState(State.OPEN);
        truncated = true;
    }

    /**
     * Finishes the column files, writes meta.json last and publishes the frame atomically;
     * from then on {@link FrameCache#find} sees it. Eviction runs afterwards, but never
     * evicts the frame just committed; a later commit may, so a caller that reads the frame
     * back (a preview, the sandbox's channel) commits with {@link #commitPinned()}.
     */
    public FrameMeta commit() {
        return commit(false);
    }

    /** As {@link #commit()}, and the frame stays out of eviction's reach until the pin is closed. */
    public FramePin commitPinned() {
        return new FramePin(cache, commit(true));
    }

    private FrameMeta commit(boolean pinned) {
        requireState(State.OPEN);
        try {
            List<List<ColumnMeta.Buffer>> buffers = received;
            if (buffers == null) {
                openAppenders();
                buffers = new ArrayList<>();
                for (ColumnAppender a : appenders) {
                    buffers.add(a.finish());
                }
            }
            long dataBytes = 0;
            List<ColumnMeta> columnMetas = new ArrayList<>(columns.size());
            for (int i = 0; i < stats.length; i++) {
                FrameColumn c = columns.get(i);
                for (ColumnMeta.Buffer b : buffers.get(i)) {
                    dataBytes += b.bytes();
                }
                ColumnMeta same = copied.get(i);
                columnMetas.add(same != null
                        ? new ColumnMeta(c.name(), c.kind(), c.sourceType(), same.dtype(), same.stats(), buffers.get(i))
                        : new ColumnMeta(c.name(), c.kind(), c.sourceType(), c.kind().pandasDtype(stats[i].nullCount() > 0),
                                stats[i].toMap(), buffers.get(i)));
            }
            Instant createdAt = cache.now();
            MetaFile metaFile = cache.metaFile();
            byte[] metaBytes = metaFile.toBytes(new FrameMeta(key, columnMetas, rows, dataBytes, truncated,
                    createdAt, provenance));
            // Reparsed so the committed meta (stats in their JSON form) equals what a restart reads back.
            FrameMeta meta = metaFile.parse(metaBytes);
            java.nio.file.Files.write(dir.resolve(MetaFile.META), metaBytes, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE);
            cache.publish(dir, meta, metaBytes.length, pinned);
            state = State.COMMITTED;
            return meta;
        } catch (IOException | RuntimeException e) {
            fail();
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

    private void fail() {
        if (state == State.OPEN) {
            discard();
        }
        state = State.FAILED;
    }

    private void discard() {
        if (appenders != null) {
            for (ColumnAppender a : appenders) {
                try {
                    a.close();
                } catch (IOException | RuntimeException ignored) {
                    // The data is thrown away; a failing close changes nothing.
                }
            }
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
     * whitespace (inside strings JSON requires escapes), so they become spaces: in the JSON
     * rows previews and exports read, a raw '\n' must only ever end a row.
     */
    static Object onDisk(Object value) {
        // Timestamps are stored as microseconds (a timestamptz as the UTC instant): stats and previews
        // show what is stored, the same for rows written here and columns received from a sandbox.
        if (value instanceof java.time.OffsetDateTime t && !t.equals(java.time.OffsetDateTime.MAX)
                && !t.equals(java.time.OffsetDateTime.MIN)) {
            return t.withOffsetSameInstant(java.time.ZoneOffset.UTC).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        }
        if (value instanceof java.time.LocalDateTime t && t.getNano() % 1_000 != 0 && !t.equals(java.time.LocalDateTime.MAX)) {
            return t.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        }
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
