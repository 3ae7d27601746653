package dev.dea.listen;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Whether AGENT_HOST:AGENT_PORT can be bound, and if another process holds it, which one.
 * Asked before anything slow starts (the embedded database, the pool, Docker), so that a busy
 * port costs one line and no wait. Who holds the port is read from Linux's {@code /proc}:
 * the listening socket's inode in {@code /proc/net/tcp{,6}}, then the process whose
 * {@code /proc/<pid>/fd} links to it; that works for the user's own processes (all of them
 * as root). Elsewhere, or for another user's process, it is "another process".
 */
public final class ListenPort {
    /** Stops a scan of {@code /proc} on a host with very many processes; the answer is then "another process". */
    private static final int MAX_PROCESSES = 100_000;
    private static final String TCP_LISTEN = "0A";
    private static final Path PROC = Path.of("/proc");

    private ListenPort() {
    }

    /** What binding the address gives. */
    public sealed interface Outcome {
    }

    public record Free() implements Outcome {
    }

    /** Another socket listens on the port; {@code holder} as {@link #holder(int)} describes it. */
    public record InUse(String holder) implements Outcome {
        public InUse {
            requireNonNull(holder, "holder");
        }
    }

    /** Not an "in use": the address is not one of this machine's, or binding is not allowed. */
    public record Unbindable(String reason) implements Outcome {
        public Unbindable {
            requireNonNull(reason, "reason");
        }
    }

    /** Binds and releases {@code host:port} at once. Port 0 (any free port) is always free. */
    public static Outcome probe(String host, int port) {
        if (port == 0) {
            return new Free();
        }
        try (ServerSocket socket = new ServerSocket()) {
            // As Jetty binds: SO_REUSEADDR, so a port in TIME_WAIT after a restart counts as free.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
            return new Free();
        } catch (BindException e) {
            if (isInUse(e)) {
                return new InUse(holder(port));
            }
            return new Unbindable(String.valueOf(e.getMessage()));
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            return new Unbindable(String.valueOf(e.getMessage()));
        }
    }

    /** Whether {@code e} (or a cause) is the kernel's EADDRINUSE, as the JDK words it. */
    public static boolean isInUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException && t.getMessage() != null
                    && t.getMessage().toLowerCase(Locale.ROOT).contains("in use")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The one line a person starting the agent sees, the same as the {@code dea} script's:
     * {@code AGENT_PORT 8001 is already in use on 0.0.0.0 by python3 (pid 4242): stop it, or set AGENT_PORT to a free port}.
     */
    public static String inUseMessage(String host, int port, String holder) {
        return "error: AGENT_PORT " + port + " is already in use on " + host + " by " + holder
                + ": stop it, or set AGENT_PORT to a free port";
    }

    /** {@code python3 (pid 4242)} for the process listening on {@code port}, else {@code another process}. */
    public static String holder(int port) {
        return inode(port).flatMap(ListenPort::processOf).orElse("another process");
    }

    /** The inode of a socket listening on {@code port}, from {@code /proc/net/tcp} and {@code tcp6}. */
    static Optional<String> inode(int port) {
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        for (String table : List.of("net/tcp", "net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(PROC.resolve(table), StandardCharsets.US_ASCII);
            } catch (IOException | SecurityException e) {
                continue;
            }
            Optional<String> found = listeningInode(lines, hexPort);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** {@code lines}: a {@code /proc/net/tcp} table (header first); {@code hexPort}: {@code ":1F41"}. */
    static Optional<String> listeningInode(List<String> lines, String hexPort) {
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
            String[] f = line.strip().split("\\s+");
            if (f.length > 9 && f[1].toUpperCase(Locale.ROOT).endsWith(hexPort) && f[3].equals(TCP_LISTEN)
                    && !f[9].equals("0")) {
                return Optional.of(f[9]);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> processOf(String inode) {
        String target = "socket:[" + inode + "]";
        int seen = 0;
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path pid : pids) {
                if (++seen > MAX_PROCESSES) {
                    break;
                }
                if (holds(pid.resolve("fd"), target)) {
                    return Optional.of(name(pid) + " (pid " + pid.getFileName() + ")");
                }
            }
        } catch (IOException | SecurityException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static boolean holds(Path fdDir, String target) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(target)) {
                        return true;
                    }
                } catch (IOException | SecurityException e) {
                    // closed meanwhile: the next one
                }
            }
        } catch (IOException | SecurityException e) {
            // another user's process (or gone): not ours to see
        }
        return false;
    }

    private static String name(Path pid) {
        try {
            String comm = Files.readString(pid.resolve("comm"), StandardCharsets.UTF_8).strip();
            return comm.isEmpty() ? "a process" : comm;
        } catch (IOException | SecurityException e) {
            return "a process";
        }
    }
}
