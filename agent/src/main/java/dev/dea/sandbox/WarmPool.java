package dev.dea.sandbox;

import dev.dea.error.AgentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Started sandbox containers whose runner has already imported pandas and printed
 * {@code ready}, each blocked on stdin waiting for its one {@code execute}. Taking one
 * moves the ~1 s container start off the request path.
 *
 * <p>Isolation is unchanged: a pooled container serves exactly one execution and is then
 * removed, so nothing of one execution (files in /tmp, interpreter state, processes) can
 * be seen by the next; the pool only changes <em>when</em> a fresh container is started.
 *
 * <p>A single refill thread keeps {@code size} containers ready, one start at a time, so
 * the pool never holds more than {@code size} containers (plus the one being started) and
 * never blocks a request: an empty pool just means the request starts its own container.
 * A container idle longer than {@code maxIdle} is recycled; one that died while idle
 * (engine restart, OOM, {@code docker kill}) is noticed through its attach stream or an
 * inspect when taken, and replaced. When the engine is down, starts back off and the pool
 * stays empty until it returns.
 *
 * <p>A replacement is started once the step that took a container has ended (the service
 * releases the container), or
 * {@link #REFILL_HOLD} after it was taken, whichever comes first: a start is about a second of
 * both cores (the engine, runc, Python importing pandas), and started at once it doubled a
 * short step's time on a 2-core host (docs/benchmarks-frames.md).
 */
final class WarmPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WarmPool.class);
    /** Long enough to serve bursty interactive use, short enough that an idle agent renews its sandboxes. */
    static final Duration MAX_IDLE = Duration.ofMinutes(5);
    private static final long MIN_BACKOFF_MILLIS = 1_000;
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    /** How long a refill waits for the steps running on taken containers; past it, they share the CPU. */
    static final Duration REFILL_HOLD = Duration.ofSeconds(2);

    /** Starts one container and reads its ready line; AgentException when the engine cannot. */
    interface Launcher {
        SandboxContainer launchReady();
    }

    private final int size;
    private final long maxIdleNanos;
    private final Launcher launcher;
    private final Predicate<String> running;
    private final Consumer<SandboxContainer> discard;
    private final ArrayDeque<SandboxContainer> idle = new ArrayDeque<>();   // guarded by this
    private final Thread refiller;
    private volatile boolean closed;
    private boolean wake;   // guarded by this
    /** Taken containers whose step still runs (not yet released). Guarded by this. */
    private final List<SandboxContainer> inStep = new ArrayList<>();
    /** Until when a refill waits for {@link #inStep} to empty; guarded by this. */
    private long holdUntilNanos;
    private final AtomicLong launched = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong replacedDead = new AtomicLong();
    private final AtomicLong recycledIdle = new AtomicLong();

    /**
     * @param running whether the engine still runs a container (by id): the check made when one is taken
     * @param discard removes a container that will not be used (in the background: it is not on anyone's path)
     */
    WarmPool(int size, Duration maxIdle, String name, Launcher launcher, Predicate<String> running,
             Consumer<SandboxContainer> discard) {
        this.size = size;
        this.maxIdleNanos = maxIdle.toNanos();
        this.launcher = launcher;
        this.running = running;
        this.discard = discard;
        this.refiller = new Thread(this::refillLoop, "sandbox-pool-" + name);
        refiller.setDaemon(true);
        if (size > 0) {
            refiller.start();
        }
    }

    /** A ready container for exactly one execution, or empty (pool off, empty, or only dead ones). */
    Optional<SandboxContainer> take() {
        while (true) {
            SandboxContainer c;
            synchronized (this) {
                c = idle.pollFirst();
                if (c != null) {
                    // Before the refill thread wakes: it must find the hold in place.
                    inStep.add(c);
                    holdUntilNanos = System.nanoTime() + REFILL_HOLD.toNanos();
                    c.onRelease(() -> released(c));
                }
                wake = true;
                notifyAll();
            }
            if (c == null) {
                return Optional.empty();
            }
            if (usable(c)) {
                served.incrementAndGet();
                c.markPooled();
                return Optional.of(c);
            }
            synchronized (this) {
                inStep.remove(c);
            }
        }
    }

    private boolean usable(SandboxContainer c) {
        if (System.nanoTime() - c.readyAtNanos() > maxIdleNanos) {
            recycledIdle.incrementAndGet();
            discard.accept(c);
            return false;
        }
        boolean alive;
        try {
            // The attach stream ends a moment after a kill; the inspect catches that window (a few ms).
            alive = !c.streamEnded() && running.test(c.id());
        } catch (RuntimeException e) {
            log.debug("Inspecting pooled sandbox {}: {}", c.shortId(), e.toString());
            alive = false;
        }
        if (!alive) {
            log.info("Pooled sandbox {} died while idle; replacing it", c.shortId());
            replacedDead.incrementAndGet();
            discard.accept(c);
        }
        return alive;
    }

    int pooled() {
        synchronized (this) {
            return idle.size();
        }
    }

    /** Ids of the idle containers, oldest first (tests). */
    List<String> ids() {
        synchronized (this) {
            return idle.stream().map(SandboxContainer::id).toList();
        }
    }

    long launched() {
        return launched.get();
    }

    long served() {
        return served.get();
    }

    long replacedDead() {
        return replacedDead.get();
    }

    long recycledIdle() {
        return recycledIdle.get();
    }

    private void refillLoop() {
        long backoff = 0;
        long retryAt = 0;
        while (!closed) {
            try {
                evict();
                boolean missing;
                long held;
                synchronized (this) {
                    missing = idle.size() < size;
                    inStep.removeIf(SandboxContainer::released);
                    held = inStep.isEmpty() ? 0 : holdUntilNanos - System.nanoTime();
                }
                if (missing && held <= 0 && System.nanoTime() >= retryAt) {
                    add(launcher.launchReady());
                    if (backoff > 0) {
                        log.info("Sandbox warm pool is starting containers again");
                    }
                    backoff = 0;
                    continue;
                }
                long waitNanos = !missing ? untilNextExpiry() : Math.max(held, retryAt - System.nanoTime());
                synchronized (this) {
                    if (!wake && !closed && waitNanos > 0) {
                        TimeUnit.NANOSECONDS.timedWait(this, waitNanos);
                    }
                    wake = false;
                }
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                // Engine down or image missing: status() says so; retry with backoff instead of spinning.
                backoff = backoff == 0 ? MIN_BACKOFF_MILLIS : Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
                retryAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff);
                String why = e instanceof AgentException ? e.getMessage() : e.toString();
                if (backoff == MIN_BACKOFF_MILLIS) {
                    log.warn("Sandbox warm pool cannot start a container ({}); retrying with backoff", why);
                } else {
                    log.debug("Sandbox warm pool still cannot start a container ({}); next try in {} ms", why, backoff);
                }
            }
        }
    }

    private void add(SandboxContainer c) {
        launched.incrementAndGet();
        synchronized (this) {
            if (!closed) {
                idle.addLast(c);
                c.onStreamEnd(this::wakeUp);
                log.debug("Sandbox {} pooled ({} of {})", c.shortId(), idle.size(), size);
                return;
            }
        }
        c.close();
    }

    /** Drops idle containers that died or waited too long; the loop then starts replacements. */
    private void evict() {
        List<SandboxContainer> gone = new ArrayList<>();
        synchronized (this) {
            long now = System.nanoTime();
            idle.removeIf(c -> {
                boolean stale = now - c.readyAtNanos() > maxIdleNanos;
                if (stale || c.streamEnded()) {
                    (stale ? recycledIdle : replacedDead).incrementAndGet();
                    gone.add(c);
                    return true;
                }
                return false;
            });
        }
        for (SandboxContainer c : gone) {
            log.debug("Pooled sandbox {} {}; replacing it", c.shortId(), c.streamEnded() ? "died" : "idled out");
            discard.accept(c);
        }
    }

    private long untilNextExpiry() {
        synchronized (this) {
            SandboxContainer oldest = idle.peekFirst();
            return oldest == null ? TimeUnit.SECONDS.toNanos(30)
                    : Math.max(1, oldest.readyAtNanos() + maxIdleNanos - System.nanoTime() + 1_000_000);
        }
    }

    /** A pooled runner died (or a taken one exited: its step may still be storing the result). */
    private void wakeUp() {
        synchronized (this) {
            wake = true;
            notifyAll();
        }
    }

    /** A taken container's step ended: the refill may start. */
    private void released(SandboxContainer c) {
        synchronized (this) {
            inStep.remove(c);
            wake = true;
            notifyAll();
        }
    }

    /** Stops refilling and removes the idle containers (synchronously). Idempotent. */
    @Override
    public void close() {
        List<SandboxContainer> left;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            left = new ArrayList<>(idle);
            idle.clear();
            notifyAll();
        }
        // No interrupt: an interrupted engine call cancels the shared HTTP client's request and the client is
        // then dropped under everyone's feet. A start in flight ends within ~1 s and its container is closed
        // by add(); the caller's label sweep is the backstop for a start that hangs.
        left.parallelStream().forEach(SandboxContainer::close);
        try {
            refiller.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
