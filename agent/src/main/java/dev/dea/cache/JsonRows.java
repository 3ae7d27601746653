package dev.dea.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.dea.frame.FrameValues;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * A stored frame rendered as JSON rows, one compact array per row ended by {@code \n}: the
 * encoding previews and exports print (docs/frame-format.md). Rendered a batch of rows at a
 * time, so a whole frame is never in memory. Opens every column file up front.
 */
final class JsonRows extends InputStream {
    private static final JsonFactory JSON = new JsonFactory();
    private static final int BATCH_BYTES = 1 << 16;

    private final ColumnReader[] columns;
    private final long rowCount;
    private final Out buffer = new Out();
    private final JsonGenerator generator;
    private long row;
    private int pos;

    /** ByteArrayOutputStream whose array is read in place. */
    private static final class Out extends ByteArrayOutputStream {
        byte[] array() {
            return buf;
        }
    }

    JsonRows(Path dir, FrameMeta meta) throws IOException {
        List<ColumnMeta> metas = meta.columns();
        this.columns = new ColumnReader[metas.size()];
        try {
            for (int i = 0; i < columns.length; i++) {
                columns[i] = new ColumnReader(dir, i, metas.get(i).kind(), false);
            }
        } catch (IOException e) {
            close();
            throw e;
        }
        this.rowCount = meta.rowCount();
        this.generator = JSON.createGenerator(buffer);
        this.generator.setRootValueSeparator(null);
    }

    @Override
    public int read() throws IOException {
        if (!ensure()) {
            return -1;
        }
        return buffer.array()[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!ensure()) {
            return -1;
        }
        int n = Math.min(len, buffer.size() - pos);
        System.arraycopy(buffer.array(), pos, b, off, n);
        pos += n;
        return n;
    }

    private boolean ensure() throws IOException {
        if (pos < buffer.size()) {
            return true;
        }
        buffer.reset();
        pos = 0;
        while (row < rowCount && buffer.size() < BATCH_BYTES) {
            generator.writeStartArray();
            for (ColumnReader column : columns) {
                FrameValues.write(generator, column.next());
            }
            generator.writeEndArray();
            generator.writeRaw('\n');
            generator.flush();
            row++;
        }
        return buffer.size() > 0;
    }

    @Override
    public void close() throws IOException {
        FrameFiles.closeAll(java.util.Arrays.asList(columns));
    }
}
