package dev.dea.cache;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** One buffer file of a column being written: little-endian values through a small private buffer, counted. */
final class BufferWriter implements Closeable {
    // Small: a frame has a few files per column, and a wide frame many columns.
    private static final int BUFFER_BYTES = 1 << 14;
    private static final int MIN_BUFFER_BYTES = 1 << 10;
    // What the files of one frame being written hold in buffers together, about: 16 KiB each for
    // an ordinary frame, down to 1 KiB each for a wide one (FrameWriter.MAX_COLUMNS).
    private static final int FRAME_BUFFER_BUDGET = 4 << 20;

    private final OutputStream out;
    private final byte[] buf;
    private int pos;
    private long count;
    private boolean closed;

    BufferWriter(Path file) throws IOException {
        this(file, BUFFER_BYTES);
    }

    BufferWriter(Path file, int bufferBytes) throws IOException {
        if (bufferBytes < MIN_BUFFER_BYTES) {
            throw new IllegalArgumentException("bufferBytes must be at least " + MIN_BUFFER_BYTES + ", got " + bufferBytes);
        }
        this.buf = new byte[bufferBytes];
        this.out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** The buffer size for each of {@code files} files written at once for one frame. */
    static int bufferBytesFor(int files) {
        return Math.max(MIN_BUFFER_BYTES, Math.min(BUFFER_BYTES, FRAME_BUFFER_BUDGET / Math.max(1, files)));
    }

    long count() {
        return count + pos;
    }

    void writeByte(int b) throws IOException {
        if (pos == buf.length) {
            drain();
        }
        buf[pos++] = (byte) b;
    }

    void writeLong(long v) throws IOException {
        if (pos + 8 > buf.length) {
            drain();
        }
        for (int i = 0; i < 8; i++) {
            buf[pos++] = (byte) (v >>> (8 * i));
        }
    }

    void writeDouble(double v) throws IOException {
        writeLong(Double.doubleToRawLongBits(v));
    }

    void write(byte[] b, int off, int len) throws IOException {
        if (len > buf.length - pos) {
            drain();
            if (len > buf.length) {
                out.write(b, off, len);
                count += len;
                return;
            }
        }
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    /** Copies exactly {@code n} bytes of {@code in}; EOFException if it ends before. */
    void copy(InputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            if (pos == buf.length) {
                drain();
            }
            int r = in.read(buf, pos, (int) Math.min(buf.length - pos, left));
            if (r < 0) {
                throw new java.io.EOFException("the stream ended " + left + " bytes before the end of a buffer");
            }
            pos += r;
            left -= r;
        }
    }

    private void drain() throws IOException {
        out.write(buf, 0, pos);
        count += pos;
        pos = 0;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            drain();
        } finally {
            out.close();
        }
    }
}
