package dev.dea.sandbox;

import dev.dea.error.AgentException;
import dev.dea.error.Causes;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Frame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One created, attached and started sandbox container, used for exactly one execution.
 * stdout (the protocol) and stderr (runner diagnostics) arrive multiplexed on the attach
 * stream and are separated here; {@link #close()} removes the container whatever state
 * it is in.
 */
final class SandboxContainer implements SandboxBackend.Sandbox {
    private static final Logger log = LoggerFactory.getLogger(SandboxContainer.class);
    /** Enough for a traceback of the runner itself; the user's stderr travels in the protocol. */
    private static final int STDERR_TAIL_BYTES = 16 * 1024;
    private static final int STDIN_BUFFER = 1 << 20;
    private static final int STDOUT_BUFFER = 4 << 20;

    private final DockerEngine engine;
    private final String id;
    private final BytePipe stdin = new BytePipe(STDIN_BUFFER);
    private final BytePipe stdout = new BytePipe(STDOUT_BUFFER);
    private final byte[] stderrTail = new byte[STDERR_TAIL_BYTES];
    private long stderrBytes;
    private final Attach attach = new Attach();
    /** The attach connection to a local engine (fast); null where docker-java's attach is used. */
    private volatile RawAttach raw;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Past the ready line, which may be read long before the execute; null before. */
    private volatile InputStream afterReady;
    private volatile boolean streamEnded;
    /** Told when the attach stream ends, e.g. a pooled runner killed while idle. */
    private volatile Runnable onStreamEnd = () -> { };
    /** Set by the first {@link #abort}: whoever used the container is done with it. */
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile Runnable onRelease = () -> { };
    private volatile long readyAtNanos;
    private volatile boolean fromPool;

    private SandboxContainer(DockerEngine engine, String id) {
        this.engine = engine;
        this.id = id;
    }

    /** Creates, attaches (before starting, so no output is missed) and starts a container. */
    static SandboxContainer launch(DockerEngine engine, long attachTimeoutMillis) {
        String id = engine.create();
        SandboxContainer container = new SandboxContainer(engine, id);
        try {
            Optional<java.nio.file.Path> socket = RawAttach.socketOf(engine.host());
            if (socket.isPresent()) {
                try {
                    container.raw = RawAttach.attach(socket.get(), id, attachTimeoutMillis);
                } catch (IOException e) {
                    engine.suspect();
                    throw DockerEngine.unavailable("Could not attach to a sandbox container at "
                            + engine.host() + ": " + e.getMessage(), e);
                }
                container.raw.pump(container.stdin.inputStream(), container.stdin::fail);
                container.raw.read(container.attach);
            } else {
                engine.call("attach container", c -> c.attachContainerCmd(id)
                        .withStdIn(container.stdin.inputStream())
                        .withStdOut(true)
                        .withStdErr(true)
                        .withFollowStream(true)
                        .withLogs(false)
                        .exec(container.attach));
                if (!container.attach.awaitStarted(attachTimeoutMillis, TimeUnit.MILLISECONDS)) {
                    throw DockerEngine.unavailable("The Docker engine at " + engine.host()
                            + " did not open the attach stream of a sandbox container in time", null);
                }
            }
            engine.start(id);
            return container;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            container.close();
            throw DockerEngine.unavailable("Interrupted while starting a sandbox container", e);
        } catch (RuntimeException e) {
            container.close();
            throw e;
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean fromPool() {
        return fromPool;
    }

    /** Taken from the warm pool (set by it when it hands the container out). */
    void markPooled() {
        fromPool = true;
    }

    String shortId() {
        return id.substring(0, Math.min(12, id.length()));
    }

    /** The runner's stdin: the protocol towards the runner. Closing it ends the stream. */
    @Override
    public OutputStream stdin() {
        return stdin.outputStream();
    }

    /** The runner's stdout after its ready line (the runner captures everything else). */
    @Override
    public InputStream stdout() {
        return afterReady;
    }

    /** Reads the runner's ready line; the container is then blocked on stdin until an execute. */
    void awaitReady() throws IOException {
        afterReady = ReadyLine.await(stdout.inputStream());
        readyAtNanos = System.nanoTime();
    }

    /** {@link System#nanoTime()} when the runner became ready; 0 before. */
    @Override
    public long readyAtNanos() {
        return readyAtNanos;
    }

    /** The attach stream ended or failed: the runner is gone (or going). */
    boolean streamEnded() {
        return streamEnded;
    }

    void onStreamEnd(Runnable listener) {
        this.onStreamEnd = listener;
        if (streamEnded) {
            listener.run();
        }
    }

    /** Told once when the container is released (its step ended, or it was aborted or closed). */
    void onRelease(Runnable listener) {
        this.onRelease = listener;
        if (released.get()) {
            listener.run();
        }
    }

    boolean released() {
        return released.get();
    }

    /** Makes both protocol directions fail at once, e.g. at the time limit or once the step ended. */
    @Override
    public void abort(String why) {
        IOException cause = new IOException(why);
        stdout.fail(cause);
        stdin.fail(cause);
        if (released.compareAndSet(false, true)) {
            try {
                onRelease.run();
            } catch (RuntimeException e) {
                log.debug("Release listener of {}: {}", shortId(), e.toString());
            }
        }
    }

    /** The last bytes the runner wrote to its real stderr (not the user's, which is captured). */
    String stderrTail() {
        synchronized (stderrTail) {
            int n = (int) Math.min(stderrBytes, STDERR_TAIL_BYTES);
            byte[] out = new byte[n];
            int start = (int) ((stderrBytes - n) % STDERR_TAIL_BYTES);
            for (int i = 0; i < n; i++) {
                out[i] = stderrTail[(start + i) % STDERR_TAIL_BYTES];
            }
            return new String(out, StandardCharsets.UTF_8).strip();
        }
    }

    /**
     * Why the runner ended: the container's final state tells an OOM kill from a crash; no
     * state and an engine that stopped answering means the engine went away, not the code's fault.
     */
    @Override
    public AgentException diagnose(String what) {
        Optional<InspectContainerResponse.ContainerState> state = finalState(3_000);
        if (state.isEmpty() && engine.unreachable()) {
            log.info("Sandbox {} lost its engine: {}", shortId(), what);
            return DockerEngine.unavailable("The Docker engine at " + engine.host() + " went away while the code ran ("
                    + what + "); retry once it is back", null);
        }
        AgentException died = RunnerErrors.died(state, what, stderrTail(), engine.memoryMb(), shortId());
        log.info("Sandbox {} failed: {}", shortId(), died.getMessage());
        return died;
    }

    /**
     * The container's final state, waiting up to {@code waitMillis} for it to stop (the
     * attach stream can end a moment before the engine records the exit).
     */
    Optional<InspectContainerResponse.ContainerState> finalState(long waitMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        try {
            while (true) {
                InspectContainerResponse.ContainerState s = engine.state(id);
                if (!Boolean.TRUE.equals(s.getRunning()) || System.nanoTime() > deadline) {
                    return Optional.of(s);
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (RuntimeException e) {
            log.debug("Inspecting sandbox container {}: {}", shortId(), e.toString());
            return Optional.empty();
        }
    }

    /**
     * Removes the container (killing it if needed) and releases the streams. Idempotent;
     * synchronized so a second caller (the owner after the watchdog) returns only once the
     * container is really gone.
     */
    @Override
    public synchronized void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        engine.release(id);
        stdin.close();
        if (raw != null) {
            raw.close();
        }
        // Before the removal: a reader that stopped (a protocol violation, a timeout) leaves the stdout pipe
        // full, the attach thread blocked in onNext and the engine's stream copy with it, and the removal
        // then waits on that copy. Failed pipes make onNext drop everything, so the stream drains.
        abort("sandbox container closed");
        try {
            engine.remove(id);
        } catch (RuntimeException e) {
            // Engine gone or stuck: the owner label lets the reap after its return (or the next start) remove it.
            log.warn("Could not remove sandbox container {}: {}", shortId(), e.getMessage());
        }
        // Off this thread: closing a response stream may read it to its end, and after a removal that failed
        // (engine stuck) that end may never come. The stream's thread only discards by now.
        Thread.ofVirtual().name("sandbox-detach-" + shortId()).start(() -> {
            try {
                attach.close();
            } catch (IOException | RuntimeException e) {
                log.debug("Closing the attach stream of {}: {}", shortId(), e.toString());
            }
        });
    }

    private void ended() {
        streamEnded = true;
        try {
            onStreamEnd.run();
        } catch (RuntimeException e) {
            log.debug("Stream-end listener of {}: {}", shortId(), e.toString());
        }
    }

    private final class Attach extends ResultCallback.Adapter<Frame> {
        @Override
        public void onNext(Frame frame) {
            byte[] payload = frame.getPayload();
            if (payload == null || payload.length == 0) {
                return;
            }
            switch (frame.getStreamType()) {
                case STDOUT, RAW -> {
                    try {
                        // Blocks while the protocol reader is behind: back-pressure instead of buffering a frame.
                        stdout.write(payload, 0, payload.length);
                    } catch (IOException e) {
                        // The reader gave up (timeout, close); the rest of the output is not wanted.
                    }
                }
                case STDERR -> {
                    synchronized (stderrTail) {
                        for (byte b : payload) {
                            stderrTail[(int) (stderrBytes++ % STDERR_TAIL_BYTES)] = b;
                        }
                    }
                }
                default -> {
                }
            }
        }

        @Override
        public void onError(Throwable throwable) {
            if (!closed.get()) {
                // An engine restart breaks every stream: have the engine reap once it answers again.
                engine.suspect();
            }
            stdout.fail(new IOException("attach stream failed: " + Causes.rootMessage(throwable), throwable));
            ended();
            super.onError(throwable);
        }

        @Override
        public void onComplete() {
            stdout.close();
            ended();
            super.onComplete();
        }
    }
}
