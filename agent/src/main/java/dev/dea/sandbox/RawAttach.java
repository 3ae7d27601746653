package dev.dea.sandbox;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A container's attach stream over a connection of our own to a local engine's Unix socket:
 * stdin written in 64 KiB pieces, stdout and stderr read as the engine's multiplexed frames
 * (an 8-byte header: stream, 3 zero bytes, big-endian length). docker-java copies an attached
 * stdin 1 KiB at a time with a flush after each (its hijacked HTTP entity), which capped the
 * frames sent into a sandbox at a few MB/s. Only for {@code unix://} engines; others keep
 * docker-java's attach.
 */
final class RawAttach implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RawAttach.class);
    private static final int CHUNK = 1 << 16;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final SocketChannel channel;
    private final String shortId;

    private RawAttach(SocketChannel channel, String shortId) {
        this.channel = channel;
        this.shortId = shortId;
    }

    /** The socket of a {@code unix://} engine; empty for any other kind of host. */
    static Optional<Path> socketOf(URI host) {
        return "unix".equals(host.getScheme()) && host.getPath() != null && !host.getPath().isEmpty()
                ? Optional.of(Path.of(host.getPath())) : Optional.empty();
    }

    /**
     * Attaches to stdin, stdout and stderr of container {@code id} (created with OpenStdin and
     * StdinOnce: the engine closes the container's stdin when this connection ends its output).
     */
    static RawAttach attach(Path socket, String id, long timeoutMillis) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        // A channel's blocking read has no timeout: an engine that never answers gets the channel closed.
        java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(timeoutMillis);
            } catch (InterruptedException e) {
                return;
            }
            if (!answered.get()) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing is all we can do
                }
            }
        });
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            String request = "POST /containers/" + id + "/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\n"
                    + "Host: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n";
            writeFully(channel, ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            String status;
            try {
                status = readHeader(channel);
            } catch (java.nio.channels.AsynchronousCloseException e) {
                throw new IOException("the engine did not answer the attach within " + timeoutMillis + " ms");
            } finally {
                answered.set(true);
            }
            if (!status.startsWith("HTTP/1.1 101") && !status.startsWith("HTTP/1.0 101")) {
                throw new IOException("the engine did not upgrade the attach: " + status);
            }
            return new RawAttach(channel, id.substring(0, Math.min(12, id.length())));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The status line, after reading the response header up to its blank line. */
    private static String readHeader(SocketChannel channel) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        // Byte by byte: nothing of the raw stream after the header may be consumed here.
        while (header.size() < MAX_HEADER_BYTES) {
            one.clear();
            if (channel.read(one) < 0) {
                throw new IOException("the engine closed the attach before answering");
            }
            header.write(one.get(0));
            byte[] b = header.toByteArray();
            int n = b.length;
            if (n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n') {
                String text = header.toString(StandardCharsets.US_ASCII);
                return text.substring(0, text.indexOf('\r'));
            }
        }
        throw new IOException("the engine's answer to the attach has no end of header");
    }

    /**
     * Copies {@code from} to the container's stdin until it ends, then ends the stdin. Runs on
     * its own thread; a failure (the container went away) is handed to {@code onFailure}.
     */
    void pump(InputStream from, java.util.function.Consumer<IOException> onFailure) {
        Thread.ofPlatform().daemon().name("sandbox-stdin-" + shortId).start(() -> {
            byte[] chunk = new byte[CHUNK];
            try {
                int n;
                while ((n = from.read(chunk, 0, chunk.length)) >= 0) {
                    writeFully(channel, ByteBuffer.wrap(chunk, 0, n));
                }
                channel.shutdownOutput();
            } catch (IOException e) {
                if (channel.isOpen()) {
                    log.debug("Stdin of sandbox container {} ended: {}", shortId, e.toString());
                    onFailure.accept(e);
                }
            }
        });
    }

    /**
     * Reads the multiplexed output on its own thread until the stream ends, into the same
     * callback docker-java's attach would feed, so both attaches share one consumer.
     */
    void read(ResultCallback<Frame> output) {
        Thread.ofPlatform().daemon().name("sandbox-output-" + shortId).start(() -> {
            ByteBuffer header = ByteBuffer.allocate(8);
            try {
                while (true) {
                    header.clear();
                    if (!readFully(header)) {
                        output.onComplete();
                        return;
                    }
                    int size = header.getInt(4);
                    if (size < 0) {
                        throw new IOException("an output frame of " + (size & 0xffffffffL) + " bytes");
                    }
                    ByteBuffer payload = ByteBuffer.allocate(size);
                    if (!readFully(payload)) {
                        throw new IOException("the attach stream ended inside an output frame");
                    }
                    StreamType type = switch (header.get(0)) {
                        case 0 -> StreamType.STDIN;
                        case 1 -> StreamType.STDOUT;
                        case 2 -> StreamType.STDERR;
                        default -> StreamType.RAW;
                    };
                    output.onNext(new Frame(type, payload.array()));
                }
            } catch (IOException | RuntimeException e) {
                if (channel.isOpen()) {
                    output.onError(e);
                } else {
                    output.onComplete();
                }
            }
        });
    }

    /** False at a clean end of stream before the first byte. */
    private boolean readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                if (buffer.position() == 0) {
                    return false;
                }
                throw new IOException("the attach stream ended inside a frame");
            }
        }
        return true;
    }

    private static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Idempotent. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("Closing the attach of {}: {}", shortId, e.toString());
        }
    }
}
