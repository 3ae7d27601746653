package dev.dea.sandbox;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads {@code \n}-terminated lines of bytes. Only the {@code \n} byte ends a line
 * (docs/frame-format.md: a raw newline never occurs inside a row), and a line longer than
 * the limit is an error instead of an unbounded buffer.
 */
final class LineReader {
    /** Thrown for a line over the limit; the reader is then unusable. */
    static final class LineTooLongException extends IOException {
        LineTooLongException(long limit) {
            super("a protocol line is longer than " + limit + " bytes");
        }
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int end;
    private byte[] line = new byte[1024];

    LineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * What this reader has buffered but not returned, then the rest of the stream: for
     * handing the stream on (after the ready line) to a reader of its own. This reader must
     * not be used afterwards.
     */
    InputStream rest() {
        return new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(buf, pos, end - pos), in);
    }

    /**
     * The bytes after the last line read, as a stream that hands out exactly what follows
     * (binary buffers after a message line); lines may be read again once the caller has
     * consumed the bytes it expected. Closing it does nothing.
     */
    InputStream bytes() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (pos < end) {
                    int n = Math.min(len, end - pos);
                    System.arraycopy(buf, pos, b, off, n);
                    pos += n;
                    return n;
                }
                // Straight from the stream: buffering here could swallow the next message line.
                return in.read(b, off, len);
            }
        };
    }

    /** The next line without its {@code \n}; EOFException at the end of the stream (also mid-line). */
    byte[] readLine() throws IOException {
        int len = 0;
        while (true) {
            if (pos == end) {
                int n = in.read(buf, 0, buf.length);
                if (n < 0) {
                    throw new EOFException(len == 0 ? "end of stream" : "end of stream inside a line");
                }
                pos = 0;
                end = n;
            }
            int start = pos;
            while (pos < end && buf[pos] != '\n') {
                pos++;
            }
            int chunk = pos - start;
            if (len + chunk > maxLineBytes) {
                throw new LineTooLongException(maxLineBytes);
            }
            if (len + chunk > line.length) {
                line = Arrays.copyOf(line, Math.max(len + chunk, Math.min(maxLineBytes, line.length * 2)));
            }
            System.arraycopy(buf, start, line, len, chunk);
            len += chunk;
            if (pos < end) {
                pos++;   // the '\n'
                return Arrays.copyOf(line, len);
            }
        }
    }
}
