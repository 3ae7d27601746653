package dev.dea.testing;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Unix-socket forwarder in front of the real Docker socket, so a test can take the engine
 * "down" (close the listener, cut every connection) and bring it back at the same path.
 */
public final class UnixSocketProxy implements AutoCloseable {
    private final Path target;
    private final Path path;
    private volatile ServerSocketChannel server;
    private final List<SocketChannel> channels = new CopyOnWriteArrayList<>();

    public UnixSocketProxy(Path target) throws IOException {
        this.target = target;
        this.path = Files.createTempDirectory("dea-docker-proxy").resolve("docker.sock");
        up();
    }

    public String dockerHost() {
        return "unix://" + path;
    }

    public synchronized void up() throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(path));
        server = s;
        Thread.ofVirtual().start(() -> {
            while (s.isOpen()) {
                try {
                    SocketChannel client = s.accept();
                    SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(target));
                    channels.add(client);
                    channels.add(upstream);
                    pipe(client, upstream);
                    pipe(upstream, client);
                } catch (IOException e) {
                    // closed by down()
                }
            }
        });
    }

    public synchronized void down() throws IOException {
        server.close();
        for (SocketChannel c : channels) {
            c.close();
        }
        channels.clear();
        Files.deleteIfExists(path);
    }

    private static void pipe(SocketChannel from, SocketChannel to) {
        Thread.ofVirtual().start(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            try {
                while (from.read(buffer) >= 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        to.write(buffer);
                    }
                    buffer.clear();
                }
            } catch (IOException e) {
                // connection cut
            } finally {
                try {
                    to.shutdownOutput();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        });
    }

    @Override
    public void close() throws IOException {
        down();
    }
}
