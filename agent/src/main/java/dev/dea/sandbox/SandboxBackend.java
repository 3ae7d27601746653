package dev.dea.sandbox;

import dev.dea.error.AgentException;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Where one-use sandboxes run: the seam between {@link SandboxService} (admission, the
 * runner protocol, the frame cache, the execution time limit) and a place that can start
 * hardened, network-less runners (a Docker engine, {@link DockerSandboxes}; a Kubernetes
 * namespace, {@code sandbox.kubernetes.KubernetesSandboxes}). It is the whole of what the
 * service needs from a backend:
 *
 * <ol>
 *   <li>{@link #acquire()}: a started one-use sandbox whose runner has printed its
 *       {@code ready} line; its stdin/stdout carry the runner protocol
 *       (docs/sandbox-protocol.md) and nothing else;</li>
 *   <li>{@link Sandbox#close()}: kill and remove it, whatever state it is in;</li>
 *   <li>{@link #reapLeftovers()}: remove the sandboxes that carry this agent's owner label
 *       but belong to no live instance (a crashed predecessor's), never another agent's.</li>
 * </ol>
 */
public interface SandboxBackend extends AutoCloseable {
    /** The runner protocol this agent speaks (docs/sandbox-protocol.md); a runner's ready line must name it. */
    int PROTOCOL_VERSION = 2;


    /**
     * A ready sandbox for exactly one execution: from the warm pool when one is there,
     * else started now within the backend's start-up bound.
     *
     * @throws AgentException SANDBOX_UNAVAILABLE (backend unreachable, nothing can be scheduled,
     *                        image missing, start-up too slow) or TOO_MANY_REQUESTS (a quota is full)
     */
    Sandbox acquire();

    /** Removes this owner's sandboxes that no live instance holds; returns how many. */
    int reapLeftovers();

    /** Empty when sandboxes can be started now, else why not (checked now, not cached). */
    Optional<String> unavailableReason();

    /**
     * {@link #unavailableReason()} with what /health shows beside it. A backend that can tell
     * "unreachable" from "reachable but unusable" (an image missing) or read the image's
     * declared packages says so; the default knows only the reason.
     */
    default Probe probe() {
        Optional<String> reason = unavailableReason();
        return new Probe(reason.isEmpty(), Map.of(), reason);
    }

    /** The value of this instance's {@code dev.dea.sandbox.instance} label on every sandbox it starts. */
    String instanceId();

    /** Where runners run, for /health and logs: the OCI runtime, or the pods' RuntimeClass. */
    String runtime();

    /** Ready sandboxes waiting in the warm pool now, from memory (metrics read it at every scrape). */
    int pooled();

    /** Stops refilling, removes every sandbox this instance created. Idempotent. */
    @Override
    void close();

    /**
     * The owner label of an agent, shared by every backend. Its frame cache directory is held
     * by exactly one live agent (a file lock), so host + directory names one agent at a time:
     * a restarted agent (in a StatefulSet, the same stable pod name) finds its crashed
     * predecessor's sandboxes, and agents sharing an engine or namespace never reap each other's.
     */
    static String ownerOf(Path cacheDirectory) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown-host";
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((host + "\n" + cacheDirectory.toAbsolutePath().normalize()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JDK", e);
        }
    }

    /**
     * @param reachable the engine or API server answered
     * @param packages  Python and module versions the image declares, when the backend can read them
     * @param reason    why sandboxes cannot start now; empty when they can
     */
    record Probe(boolean reachable, Map<String, String> packages, Optional<String> reason) {
        public Probe {
            requireNonNull(packages, "packages");
            requireNonNull(reason, "reason");
        }
    }

    /** One started runner, used for one execution and then closed. */
    interface Sandbox extends AutoCloseable {

        /** The backend's name for it (container id, pod name), for logs. */
        String id();

        /** Whether it came from the warm pool (metrics, tests). */
        boolean fromPool();

        /** {@link System#nanoTime()} when its runner printed {@code ready}. */
        long readyAtNanos();

        /** Protocol lines from the runner, after its {@code ready} line. */
        InputStream stdout();

        /** Protocol towards the runner; closing it ends the runner's input. */
        OutputStream stdin();

        /**
         * Why the runner ended without a result, once its stream broke: MEMORY_LIMIT, TIMEOUT,
         * SANDBOX_UNAVAILABLE or EXECUTION_ERROR with what the backend knows.
         */
        AgentException diagnose(String what);

        /**
         * Makes both protocol directions fail now (a time limit, a cancel), so the reader stops
         * at once; the removal follows through {@link #close()}, off the watchdog's thread.
         */
        void abort(String why);

        /** Kills and removes the sandbox. Idempotent; never throws. */
        @Override
        void close();
    }
}
