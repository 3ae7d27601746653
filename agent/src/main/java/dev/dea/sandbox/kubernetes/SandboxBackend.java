package dev.dea.sandbox.kubernetes;

import dev.dea.error.AgentException;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;

/**
 * Where one-use sandboxes run: the seam between {@code SandboxService} (admission, the
 * runner protocol, the frame cache, the execution time limit) and a place that can start
 * hardened, network-less runners (a Docker engine, a Kubernetes namespace). It is the
 * whole of what the service needs from a backend:
 *
 * <ol>
 *   <li>{@link #acquire()}: a started one-use sandbox whose runner has printed its
 *       {@code ready} line; its stdin/stdout carry the runner protocol
 *       (docs/sandbox-protocol.md) and nothing else;</li>
 *   <li>{@link Sandbox#close()}: kill and remove it, whatever state it is in;</li>
 *   <li>{@link #reapLeftovers()}: remove the sandboxes that carry this agent's owner label
 *       but belong to no live instance (a crashed predecessor's), never another agent's.</li>
 * </ol>
 *
 * <p>Defined here, next to its first implementation, because {@code dev.dea.sandbox} is
 * being changed in parallel; it moves there when the Docker backend implements it too
 * (docs/kubernetes.md, "Wiring").
 */
public interface SandboxBackend extends AutoCloseable {

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

    /** Stops refilling, removes every sandbox this instance created. Idempotent. */
    @Override
    void close();

    /** One started runner, used for one execution and then closed. */
    interface Sandbox extends AutoCloseable {

        /** The backend's name for it (container id, pod name), for logs. */
        String id();

        /** Whether it came from the warm pool (metrics, tests). */
        boolean fromPool();

        /** Protocol lines from the runner, after its {@code ready} line. */
        InputStream stdout();

        /** Protocol towards the runner; closing it ends the runner's input. */
        OutputStream stdin();

        /**
         * Why the runner ended without a result, once its stream broke: MEMORY_LIMIT, TIMEOUT,
         * SANDBOX_UNAVAILABLE or EXECUTION_ERROR with what the backend knows.
         */
        AgentException diagnose(String what);

        /** Kills and removes the sandbox. Idempotent; never throws. */
        @Override
        void close();
    }
}
