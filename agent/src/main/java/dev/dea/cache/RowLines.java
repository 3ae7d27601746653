package dev.dea.cache;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads JSON rows ({@link JsonRows}) one line (one row) at a time as raw UTF-8 bytes. Splits on '\n' only:
 * JSON escapes line breaks inside strings, so every raw '\n' ends a row, whereas other
 * "line separators" (U+2028, U+0085) may legitimately occur inside values.
 */
public final class RowLines implements Closeable {
    private final InputStream in;
    private final byte[] buffer = new byte[1 << 16];
    private int pos;
    private int limit;
    private byte[] line = new byte[4096];
    private int length;

    public RowLines(InputStream in) {
        this.in = in;
    }

    /** Advances to the next row; false at the end of the file. */
    public boolean next() throws IOException {
        length = 0;
        boolean any = false;
        while (true) {
            if (pos == limit) {
                int n = in.read(buffer);
                if (n < 0) {
                    return any;
                }
                pos = 0;
                limit = n;
            }
            any = true;
            int end = pos;
            while (end < limit && buffer[end] != '\n') {
                end++;
            }
            append(pos, end - pos);
            if (end < limit) {
                pos = end + 1;
                return true;
            }
            pos = limit;
        }
    }

    /** The current row's bytes, valid in {@code [0, length())} until the next call of {@link #next()}. */
    public byte[] bytes() {
        return line;
    }

    public int length() {
        return length;
    }

    private void append(int from, int count) {
        if (length + count > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, length + count));
        }
        System.arraycopy(buffer, from, line, length, count);
        length += count;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
