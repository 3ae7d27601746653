package dev.dea.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A forwarder in front of a real server (PostgreSQL over TCP, the Docker engine over its Unix
 * socket), so a test can take the server "down" (close the listener, cut every connection)
 * and bring it back at the same address.
 */
public final class SocketProxy implements AutoCloseable {
    private final ProtocolFamily family;
    private final SocketAddress target;
    private SocketAddress listen;
    private volatile ServerSocketChannel server;
    private final List<SocketChannel> channels = new CopyOnWriteArrayList<>();

    private SocketProxy(ProtocolFamily family, SocketAddress target, SocketAddress listen) throws IOException {
        this.family = family;
        this.target = target;
        this.listen = listen;
        up();
    }

    /** Listens on a free loopback port and forwards to {@code targetPort} on loopback. */
    public static SocketProxy tcp(int targetPort) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        return new SocketProxy(StandardProtocolFamily.INET, new InetSocketAddress(loopback, targetPort),
                new InetSocketAddress(loopback, 0));
    }

    /** Listens on a new socket file and forwards to the socket at {@code target}. */
    public static SocketProxy unix(Path target) throws IOException {
        Path path = Files.createTempDirectory("dea-socket-proxy").resolve("proxy.sock");
        return new SocketProxy(StandardProtocolFamily.UNIX, UnixDomainSocketAddress.of(target), UnixDomainSocketAddress.of(path));
    }

    public int port() {
        return ((InetSocketAddress) listen).getPort();
    }

    /** {@code direct}'s login, reaching its server through this TCP proxy. */
    public dev.dea.config.DbConfig route(dev.dea.config.DbConfig direct) {
        return new dev.dea.config.DbConfig(direct.dialect(), "127.0.0.1", port(), direct.user(), direct.password(),
                direct.name(), direct.sslMode(), direct.readOnlyRole(), direct.searchPath(), direct.poolSize(),
                direct.allowPrivilegedLogin());
    }

    /** The proxy's socket as a {@code DOCKER_HOST} value. */
    public String dockerHost() {
        return "unix://" + ((UnixDomainSocketAddress) listen).getPath();
    }

    public synchronized void up() throws IOException {
        if (listen instanceof UnixDomainSocketAddress unix) {
            Files.deleteIfExists(unix.getPath());
        }
        ServerSocketChannel s = ServerSocketChannel.open(family);
        if (family == StandardProtocolFamily.INET) {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        }
        s.bind(listen);
        // A TCP proxy comes back on the port it was first given.
        listen = s.getLocalAddress();
        server = s;
        Thread.ofVirtual().start(() -> {
            while (s.isOpen()) {
                try {
                    SocketChannel client = s.accept();
                    SocketChannel upstream = SocketChannel.open(target);
                    if (!register(s, client, upstream)) {
                        client.close();
                        upstream.close();
                        continue;
                    }
                    pipe(client, upstream);
                    pipe(upstream, client);
                } catch (IOException e) {
                    // closed by down()
                }
            }
        });
    }

    /**
     * Tracks a new pair unless down() has run since it was accepted: otherwise a connection
     * accepted just before down() would outlive it, and a test of an outage would find the
     * database still answering.
     */
    private synchronized boolean register(ServerSocketChannel acceptedBy, SocketChannel client, SocketChannel upstream) {
        if (server != acceptedBy || !acceptedBy.isOpen()) {
            return false;
        }
        channels.add(client);
        channels.add(upstream);
        return true;
    }

    public synchronized void down() throws IOException {
        server.close();
        for (SocketChannel c : channels) {
            c.close();
        }
        channels.clear();
        if (listen instanceof UnixDomainSocketAddress unix) {
            Files.deleteIfExists(unix.getPath());
        }
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
