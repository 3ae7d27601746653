package dev.dea.sandbox;

import dev.dea.error.Causes;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The backend's probe (engine ping, image inspection) for {@code /health}, which anyone may
 * call as often as they like: one probe runs at a time and every caller meanwhile shares it;
 * its answer is reused for {@code reuse}; a caller waits at most {@code wait} for it. So a slow
 * engine costs one call thread, not one per caller, and a health check answers in bounded time.
 */
final class SharedProbe {
    private final Supplier<SandboxBackend.Probe> probe;
    private final Duration reuse;
    private final Duration wait;
    // Guarded by this.
    private CompletableFuture<SandboxBackend.Probe> inFlight;
    private SandboxBackend.Probe last;
    private long lastAtNanos;
    // Bumped by backendAnswered(): a probe begun before it may have seen the outage that just ended.
    private long generation;

    SharedProbe(Supplier<SandboxBackend.Probe> probe, Duration reuse, Duration wait) {
        this.probe = requireNonNull(probe, "probe");
        this.reuse = requireNonNull(reuse, "reuse");
        this.wait = requireNonNull(wait, "wait");
    }

    SandboxBackend.Probe get() {
        CompletableFuture<SandboxBackend.Probe> answer;
        synchronized (this) {
            if (last != null && System.nanoTime() - lastAtNanos < reuse.toNanos()) {
                return last;
            }
            if (inFlight == null) {
                CompletableFuture<SandboxBackend.Probe> started = new CompletableFuture<>();
                inFlight = started;
                long startedIn = generation;
                Thread.ofVirtual().name("sandbox-probe").start(() -> run(started, startedIn));
            }
            answer = inFlight;
        }
        try {
            return answer.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return unreachable("the sandbox backend has not answered its probe within " + wait.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unreachable("interrupted while probing the sandbox backend");
        } catch (ExecutionException e) {
            return unreachable(Causes.rootMessage(e));   // run() completes normally; kept for completeness
        }
    }

    /**
     * A sandbox has just started, so the backend is up: an answer saying otherwise (kept for
     * {@code reuse}, or still in flight from the outage) must not be what the next caller reads.
     */
    void backendAnswered() {
        synchronized (this) {
            if (last != null && last.reachable() && last.reason().isEmpty() && inFlight == null) {
                return;
            }
            last = null;
            inFlight = null;
            generation++;
        }
    }

    private void run(CompletableFuture<SandboxBackend.Probe> started, long startedIn) {
        SandboxBackend.Probe p;
        try {
            p = probe.get();
        } catch (RuntimeException e) {
            p = unreachable(Causes.rootMessage(e));
        }
        synchronized (this) {
            if (generation == startedIn) {
                last = p;
                lastAtNanos = System.nanoTime();
                inFlight = null;
            }
        }
        started.complete(p);
    }

    private static SandboxBackend.Probe unreachable(String reason) {
        return new SandboxBackend.Probe(false, Map.of(), Optional.of(reason));
    }
}
