package dev.dea.cache;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Sequential little-endian reads of one buffer file. */
final class BufferReader implements Closeable {
    private static final int BUFFER_BYTES = 1 << 14;

    private final InputStream in;
    private final byte[] buf = new byte[BUFFER_BYTES];
    private int pos;
    private int end;
    private long consumed;

    BufferReader(InputStream in) {
        this.in = in;
    }

    /** Bytes handed out so far. */
    long position() {
        return consumed + pos;
    }

    int readByte() throws IOException {
        if (pos == end) {
            fill(1);
        }
        return buf[pos++] & 0xff;
    }

    long readLong() throws IOException {
        if (end - pos < 8) {
            fill(8);
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v |= (buf[pos++] & 0xffL) << (8 * i);
        }
        return v;
    }

    double readDouble() throws IOException {
        return Double.longBitsToDouble(readLong());
    }

    void readFully(byte[] b, int off, int len) throws IOException {
        if (len <= buf.length) {
            // Small reads go through the buffer: reading each short value straight from the stream
            // would cost a system call per value.
            if (end - pos < len) {
                fill(len);
            }
            System.arraycopy(buf, pos, b, off, len);
            pos += len;
            return;
        }
        int avail = end - pos;
        System.arraycopy(buf, pos, b, off, avail);
        consumed += end;
        pos = 0;
        end = 0;
        int done = avail;
        while (done < len) {
            int r = in.read(b, off + done, len - done);
            if (r < 0) {
                throw new EOFException("a column file ends early");
            }
            done += r;
            consumed += r;
        }
    }

    /** True when no byte is left. */
    boolean atEnd() throws IOException {
        if (pos < end) {
            return false;
        }
        int r = in.read(buf, 0, buf.length);
        consumed += end;
        pos = 0;
        end = Math.max(r, 0);
        return r <= 0;
    }

    private void fill(int need) throws IOException {
        int left = end - pos;
        System.arraycopy(buf, pos, buf, 0, left);
        consumed += pos;
        pos = 0;
        end = left;
        while (end < need) {
            int r = in.read(buf, end, buf.length - end);
            if (r < 0) {
                throw new EOFException("a column file ends early");
            }
            end += r;
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
