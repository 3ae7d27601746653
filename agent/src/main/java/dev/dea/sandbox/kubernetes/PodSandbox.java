package dev.dea.sandbox.kubernetes;

import dev.dea.error.AgentException;
import dev.dea.sandbox.BytePipe;
import dev.dea.sandbox.ReadyLine;
import dev.dea.sandbox.SandboxBackend;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One running sandbox pod with its attach stream: the runner's stdin and stdout (the
 * protocol), a drained tail of its real stderr, and {@link #close()}, which ends the stream
 * and deletes the pod. Used for exactly one execution.
 *
 * <p>The agent reads and writes the runner through pipes of its own, pumped to and from the
 * attach stream by two threads, as on Docker: closing a fabric8 attach stream only sends a
 * close frame, and a reader or writer blocked on it waits for the API server's answer, which a
 * broken connection never gives. {@link #abort} fails the pipes, so the step's threads return
 * at once whatever the connection does.
 */
final class PodSandbox implements SandboxBackend.Sandbox {
    private static final Logger log = LoggerFactory.getLogger(PodSandbox.class);
    private static final int STDERR_TAIL_BYTES = 16 * 1024;
    private static final int PIPE_BYTES = 1 << 20;

    private final KubernetesSandboxes backend;
    private final String name;
    private final ExecWatch watch;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ByteArrayOutputStream stderrTail = new ByteArrayOutputStream();
    private final BytePipe stdout = new BytePipe(PIPE_BYTES);
    private final BytePipe stdin = new BytePipe(PIPE_BYTES);
    private volatile boolean streamEnded;
    /** Told when the attach stream ends, e.g. a pooled runner killed while it waits. */
    private volatile Runnable onStreamEnd = () -> { };
    private volatile long readyAtNanos;
    /** The runner's stdout past its ready line; null before. */
    private volatile InputStream afterReady;
    private volatile boolean fromPool;

    PodSandbox(KubernetesSandboxes backend, String name, ExecWatch watch) {
        this.backend = backend;
        this.name = name;
        this.watch = watch;
        watch.exitCode().whenComplete((code, error) -> {
            streamEnded = true;
            onStreamEnd.run();
        });
        Thread.ofVirtual().name("sandbox-stderr-" + name).start(this::drainStderr);
        Thread.ofVirtual().name("sandbox-stdout-" + name).start(this::pumpStdout);
        Thread.ofVirtual().name("sandbox-stdin-" + name).start(this::pumpStdin);
    }

    /** The attach stream's stdout into the pipe the agent reads; its end is the pipe's end. */
    private void pumpStdout() {
        byte[] buf = new byte[64 * 1024];
        try (InputStream from = watch.getOutput()) {
            for (int n; (n = from.read(buf)) >= 0; ) {
                stdout.write(buf, 0, n);
            }
            stdout.close();
        } catch (IOException | RuntimeException e) {
            stdout.fail(e instanceof IOException io ? io : new IOException("the attach stream failed: " + e, e));
        }
    }

    /** What the agent writes, to the attach stream's stdin, flushed chunk by chunk (the protocol waits on it). */
    private void pumpStdin() {
        byte[] buf = new byte[64 * 1024];
        try (InputStream from = stdin.inputStream()) {
            OutputStream to = watch.getInput();
            for (int n; (n = from.read(buf)) >= 0; ) {
                to.write(buf, 0, n);
                to.flush();
            }
        } catch (IOException | RuntimeException e) {
            // fabric8 reports a broken stream with its own unchecked exception: the writer gets an IOException.
            stdin.fail(e instanceof IOException io ? io : new IOException("the attach stream failed: " + e, e));
        }
    }

    /** Opens the start gate and reads the runner's ready line (the caller bounds the wait by closing). */
    /** @return the image's package versions, as the runner declares them */
    java.util.Map<String, String> awaitReady() throws IOException {
        OutputStream in = stdin.outputStream();
        in.write(PodSpecs.GO.getBytes(StandardCharsets.US_ASCII));
        in.flush();
        ReadyLine.Ready ready = ReadyLine.read(stdout.inputStream());
        afterReady = ready.rest();
        readyAtNanos = System.nanoTime();
        return ready.packages();
    }

    private void drainStderr() {
        byte[] buf = new byte[4096];
        try (InputStream err = watch.getError()) {
            for (int n; (n = err.read(buf)) >= 0; ) {
                synchronized (stderrTail) {
                    if (stderrTail.size() + n > STDERR_TAIL_BYTES) {
                        byte[] keep = stderrTail.toByteArray();
                        stderrTail.reset();
                        int from = Math.max(0, keep.length + n - STDERR_TAIL_BYTES);
                        stderrTail.write(keep, Math.min(from, keep.length), keep.length - Math.min(from, keep.length));
                    }
                    stderrTail.write(buf, 0, Math.min(n, STDERR_TAIL_BYTES));
                }
            }
        } catch (IOException | RuntimeException e) {
            // The stream ends with the pod; stdout's reader reports what matters.
        }
    }

    String stderrTail() {
        synchronized (stderrTail) {
            return stderrTail.toString(StandardCharsets.UTF_8).strip();
        }
    }

    @Override
    public long readyAtNanos() {
        return readyAtNanos;
    }

    /** The attach stream closed: the runner (or its pod) is gone. */
    boolean streamEnded() {
        return streamEnded;
    }

    void onStreamEnd(Runnable listener) {
        onStreamEnd = listener;
        if (streamEnded) {
            listener.run();
        }
    }

    PodSandbox markPooled() {
        fromPool = true;
        return this;
    }

    @Override
    public String id() {
        return name;
    }

    @Override
    public boolean fromPool() {
        return fromPool;
    }

    @Override
    public InputStream stdout() {
        return afterReady;
    }

    @Override
    public OutputStream stdin() {
        return stdin.outputStream();
    }

    @Override
    public AgentException diagnose(String what) {
        return backend.diagnose(name, what, stderrTail());
    }

    /** Both directions fail now and the attach stream is closed; {@link #close()} deletes the pod. */
    @Override
    public void abort(String why) {
        IOException stopped = new IOException("the sandbox pod " + name + " was stopped (" + why + ")");
        stdout.fail(stopped);
        stdin.fail(stopped);
        try {
            watch.close();
        } catch (RuntimeException e) {
            log.debug("Closing the attach stream of {} ({}): {}", name, why, e.toString());
        }
    }

    /** Ends the attach stream and deletes the pod; a failed delete is left to the label reap. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        abort("closed");
        backend.delete(name);
    }
}
