package dev.dea.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;

/**
 * A bounded in-memory byte pipe between two threads. Unlike {@link java.io.PipedInputStream}
 * it does not tie itself to the identity of the writing thread (docker-java delivers
 * frames from threads that come and go, which PipedInputStream reports as "write end
 * dead"), and either side can be failed from a third thread (the timeout watchdog) so
 * neither end blocks forever on a dead container.
 */
public final class BytePipe {
    private final int capacity;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private byte[] head;
    private int headPos;
    private int buffered;
    private boolean closed;
    private IOException failure;

    public BytePipe(int capacity) {
        this.capacity = capacity;
    }

    /** Blocks while the pipe is full; fails once the pipe is failed or closed. */
    public synchronized void write(byte[] data, int off, int len) throws IOException {
        if (len == 0) {
            return;
        }
        try {
            while (buffered >= capacity && failure == null && !closed) {
                wait();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing to the sandbox pipe");
        }
        if (failure != null) {
            throw failure;
        }
        if (closed) {
            throw new IOException("the sandbox pipe is closed");
        }
        chunks.add(java.util.Arrays.copyOfRange(data, off, off + len));
        buffered += len;
        notifyAll();
    }

    /** End of data: the reader sees EOF after the buffered bytes. Idempotent. */
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** Both sides fail at once with {@code cause}, buffered bytes are dropped. */
    public synchronized void fail(IOException cause) {
        if (failure == null) {
            failure = cause;
        }
        chunks.clear();
        head = null;
        buffered = 0;
        notifyAll();
    }

    synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        try {
            while (head == null && chunks.isEmpty() && failure == null && !closed) {
                wait();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading from the sandbox pipe");
        }
        if (failure != null) {
            throw failure;
        }
        if (head == null) {
            if (chunks.isEmpty()) {
                return -1;
            }
            head = chunks.poll();
            headPos = 0;
        }
        int n = Math.min(len, head.length - headPos);
        System.arraycopy(head, headPos, b, off, n);
        headPos += n;
        if (headPos == head.length) {
            head = null;
        }
        buffered -= n;
        notifyAll();
        return n;
    }

    public InputStream inputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return BytePipe.this.read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return BytePipe.this.read(b, off, len);
            }

            @Override
            public void close() {
                BytePipe.this.close();
            }
        };
    }

    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                BytePipe.this.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                BytePipe.this.write(b, off, len);
            }

            @Override
            public void close() {
                BytePipe.this.close();
            }
        };
    }
}
