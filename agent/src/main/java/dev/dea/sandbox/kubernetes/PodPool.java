package dev.dea.sandbox.kubernetes;

import dev.dea.error.AgentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Started sandbox pods whose runner has printed {@code ready}, each waiting for its one
 * execution: the same isolation as a cold pod, only started earlier.
 *
 * <p>Unlike the Docker pool, several pods start at once (a pod start is mostly waiting on
 * the scheduler and the kubelet), but pod creations are capped at {@code perInterval} per
 * {@code interval} (a sliding window), so a cluster that cannot run pods (no room, a
 * missing image) sees a trickle of creations, not a storm: every pending start counts
 * against the pool, and failures back off up to 30 s. A pod idle longer than
 * {@code maxIdle} is replaced, so it never gets near its activeDeadlineSeconds; one whose
 * attach stream ended (its runner or pod died while waiting) is replaced at once.
 */
final class PodPool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PodPool.class);
    private static final long MIN_BACKOFF_MILLIS = 1_000;
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    private static final Duration START_DRAIN = Duration.ofSeconds(5);

    private final int size;
    private final long maxIdleNanos;
    private final int perInterval;
    private final long intervalNanos;
    private final Supplier<PodSandbox> launcher;
    private final ArrayDeque<PodSandbox> idle = new ArrayDeque<>();      // guarded by this
    private final ArrayDeque<Long> creations = new ArrayDeque<>();       // guarded by this: start times in the window
    private int starting;                                                // guarded by this
    private long retryAtNanos;                                           // guarded by this
    private long backoffMillis;                                          // guarded by this
    private boolean closed;                                              // guarded by this
    private final ExecutorService starts = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread refiller;
    private final AtomicLong launched = new AtomicLong();
    private final AtomicLong recycled = new AtomicLong();

    PodPool(int size, Duration maxIdle, int perInterval, Duration interval, Supplier<PodSandbox> launcher) {
        this.size = size;
        this.maxIdleNanos = maxIdle.toNanos();
        this.perInterval = perInterval;
        this.intervalNanos = interval.toNanos();
        this.launcher = launcher;
        this.refiller = Thread.ofPlatform().daemon().name("sandbox-k8s-pool").unstarted(this::refillLoop);
        if (size > 0) {
            refiller.start();
        }
    }

    /** A ready pod for one execution, or empty (pool off or empty: the caller starts a cold one). */
    Optional<PodSandbox> take() {
        List<PodSandbox> stale = new ArrayList<>();
        try {
            synchronized (this) {
                notifyAll();
                for (PodSandbox p; (p = idle.pollFirst()) != null; ) {
                    if (p.streamEnded() || System.nanoTime() - p.readyAtNanos() > maxIdleNanos) {
                        stale.add(p);
                        continue;
                    }
                    return Optional.of(p.markPooled());
                }
                return Optional.empty();
            }
        } finally {
            discard(stale);
        }
    }

    int pooled() {
        synchronized (this) {
            return idle.size();
        }
    }

    long launched() {
        return launched.get();
    }

    long recycled() {
        return recycled.get();
    }

    private void refillLoop() {
        while (true) {
            List<PodSandbox> stale = new ArrayList<>();
            synchronized (this) {
                if (closed) {
                    return;
                }
                long now = System.nanoTime();
                idle.removeIf(p -> {
                    boolean gone = p.streamEnded() || now - p.readyAtNanos() > maxIdleNanos;
                    if (gone) {
                        stale.add(p);
                    }
                    return gone;
                });
                while (!creations.isEmpty() && now - creations.peekFirst() >= intervalNanos) {
                    creations.pollFirst();
                }
                int missing = size - idle.size() - starting;
                int allowed = now >= retryAtNanos ? Math.min(missing, perInterval - creations.size()) : 0;
                for (int i = 0; i < allowed; i++) {
                    creations.addLast(now);
                    starting++;
                    starts.execute(this::startOne);
                }
                long waitNanos = waitNanos(now, missing - Math.max(0, allowed));
                if (stale.isEmpty()) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, waitNanos);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            recycled.addAndGet(stale.size());
            discard(stale);
        }
    }

    /** Until the window frees a creation, the backoff ends, or the oldest idle pod expires. */
    private long waitNanos(long now, int stillMissing) {
        long wait = TimeUnit.SECONDS.toNanos(30);
        if (stillMissing > 0) {
            wait = retryAtNanos > now ? retryAtNanos - now
                    : creations.isEmpty() ? 1 : creations.peekFirst() + intervalNanos - now;
        }
        PodSandbox oldest = idle.peekFirst();
        if (oldest != null) {
            wait = Math.min(wait, oldest.readyAtNanos() + maxIdleNanos - now + 1_000_000);
        }
        return Math.max(1_000_000, wait);
    }

    private void startOne() {
        PodSandbox started = null;
        try {
            started = launcher.get();
            launched.incrementAndGet();
        } catch (RuntimeException e) {
            long backoff;
            synchronized (this) {
                if (closed) {
                    return;   // the finally block still runs; a start cut short by close() is not news
                }
                backoffMillis = backoffMillis == 0 ? MIN_BACKOFF_MILLIS : Math.min(MAX_BACKOFF_MILLIS, backoffMillis * 2);
                retryAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
                backoff = backoffMillis;
            }
            String why = e instanceof AgentException ? e.getMessage() : e.toString();
            log.warn("Sandbox pod pool cannot start a pod ({}); next try in {} ms", why, backoff);
        } finally {
            boolean keep;
            synchronized (this) {
                starting--;
                keep = started != null && !closed;
                if (keep) {
                    idle.addLast(started);
                    started.onStreamEnd(this::wakeUp);
                    backoffMillis = 0;
                }
                notifyAll();
            }
            if (started != null && !keep) {
                started.close();
            }
        }
    }

    private void wakeUp() {
        synchronized (this) {
            notifyAll();
        }
    }

    private static void discard(List<PodSandbox> pods) {
        for (PodSandbox p : pods) {
            log.debug("Pooled sandbox pod {} {}; replacing it", p.id(), p.streamEnded() ? "ended" : "idled out");
            p.close();
        }
    }

    /**
     * Stops refilling, deletes the idle pods and waits (bounded, then interrupting) for starts in
     * flight, which close their pod when they finish.
     */
    @Override
    public void close() {
        List<PodSandbox> left;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            left = new ArrayList<>(idle);
            idle.clear();
            notifyAll();
        }
        left.parallelStream().forEach(PodSandbox::close);
        starts.shutdown();
        try {
            refiller.join(5_000);
            // The owner sweeps by label and closes the API client after this returns: a start still running then
            // would create its pod after the sweep, or hold a connection the closing client no longer owns.
            if (!starts.awaitTermination(START_DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
                starts.shutdownNow();
                if (!starts.awaitTermination(START_DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("Sandbox pod pool closed with pod starts still running after {} s",
                            2 * START_DRAIN.toSeconds());
                }
            }
        } catch (InterruptedException e) {
            starts.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
