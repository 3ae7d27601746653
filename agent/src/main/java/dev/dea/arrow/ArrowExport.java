package dev.dea.arrow;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.dea.cache.ColumnMeta;
import dev.dea.cache.FrameMeta;
import dev.dea.cache.RowLines;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.util.List;

/**
 * Streams a frame as an Apache Arrow IPC stream (the "stream format": schema, then record
 * batches). Rows are read as the frame's JSON rows, one line at a time, and written in
 * batches of at most {@link #MAX_BATCH_ROWS} rows or about {@link #MAX_BATCH_BYTES} of row
 * text, so memory stays bounded by one batch whatever the frame's size.
 */
public final class ArrowExport {
    public static final String CONTENT_TYPE = "application/vnd.apache.arrow.stream";
    static final int MAX_BATCH_ROWS = 8_192;
    static final long MAX_BATCH_BYTES = 8L << 20;
    /** Off-heap memory one export may hold: a batch, its growth by doubling, and the writer's buffers. */
    private static final long ALLOCATION_LIMIT = 256L << 20;
    private static final JsonFactory JSON = new JsonFactory();

    private ArrowExport() {
    }

    /** Writes the stream; {@code out} is flushed, not closed. */
    public static void write(FrameMeta meta, InputStream rows, OutputStream out) throws IOException {
        List<ColumnMeta> columns = meta.columns();
        Schema schema = new Schema(columns.stream().map(ArrowTypes::field).toList());
        OutputStream buffered = new BufferedOutputStream(new NonClosing(out), 1 << 16);
        try (BufferAllocator allocator = new RootAllocator(ALLOCATION_LIMIT);
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             RowLines lines = new RowLines(rows);
             ArrowStreamWriter writer = new ArrowStreamWriter(root, new DictionaryProvider.MapDictionaryProvider(),
                     Channels.newChannel(buffered))) {
            List<FieldVector> vectors = root.getFieldVectors();
            ArrowValues[] values = vectors.stream().map(ArrowValues::forVector).toArray(ArrowValues[]::new);
            writer.start();
            int batchRows = 0;
            long batchBytes = 0;
            root.allocateNew();
            while (lines.next()) {
                writeRow(lines.bytes(), lines.length(), values, batchRows);
                batchRows++;
                batchBytes += lines.length();
                if (batchRows == MAX_BATCH_ROWS || batchBytes >= MAX_BATCH_BYTES) {
                    flush(root, writer, batchRows);
                    batchRows = 0;
                    batchBytes = 0;
                    root.allocateNew();
                }
            }
            if (batchRows > 0) {
                flush(root, writer, batchRows);
            }
            writer.end();
        } catch (IllegalArgumentException | ArithmeticException e) {
            // A value the stored kind promises but that does not parse: a damaged frame, not the caller's mistake.
            throw new IOException("a value of the frame does not fit its Arrow type: " + e.getMessage(), e);
        }
        buffered.flush();
    }

    private static void flush(VectorSchemaRoot root, ArrowStreamWriter writer, int rows) throws IOException {
        for (FieldVector v : root.getFieldVectors()) {
            v.setValueCount(rows);
        }
        root.setRowCount(rows);
        writer.writeBatch();
    }

    private static void writeRow(byte[] line, int length, ArrowValues[] values, int index) throws IOException {
        try (JsonParser p = JSON.createParser(line, 0, length)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException("a row of the frame is not a JSON array");
            }
            for (ArrowValues value : values) {
                JsonToken t = p.nextToken();
                if (t == null || t == JsonToken.END_ARRAY) {
                    throw new IOException("a row of the frame has too few values");
                }
                value.write(p, line, index);
            }
        }
    }

    /** The writer closes its channel; the response stream belongs to the caller. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
