package dev.dea.sandbox;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Back-pressure: at most {@code maxConcurrent} executions hold a slot (and a container),
 * at most {@code queueSize} more wait for one; anyone beyond is told to come back later
 * instead of piling up threads and containers.
 */
final class Admission {
    private final int maxConcurrent;
    private final Semaphore slots;
    private final int queueSize;
    private final Duration maxWait;
    private final AtomicInteger waiting = new AtomicInteger();
    /** Exponential moving average of execution time, for Retry-After. */
    private final AtomicLong averageMillis = new AtomicLong(2_000);

    Admission(int maxConcurrent, int queueSize, Duration maxWait) {
        if (maxConcurrent < 1 || queueSize < 0) {
            throw new IllegalArgumentException("maxConcurrent must be >= 1 and queueSize >= 0");
        }
        this.maxConcurrent = maxConcurrent;
        this.slots = new Semaphore(maxConcurrent, true);
        this.queueSize = queueSize;
        this.maxWait = maxWait;
    }

    /** Takes a slot, waiting in the bounded queue if needed; TOO_MANY_REQUESTS otherwise. */
    void acquire() {
        if (slots.tryAcquire()) {
            return;
        }
        if (waiting.incrementAndGet() > queueSize) {
            waiting.decrementAndGet();
            throw tooMany("all " + running() + " sandbox slots are busy and the wait queue (" + queueSize
                    + ") is full");
        }
        try {
            if (!slots.tryAcquire(maxWait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw tooMany("no sandbox slot became free within " + maxWait.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw tooMany("interrupted while waiting for a sandbox slot");
        } finally {
            waiting.decrementAndGet();
        }
    }

    void release(long elapsedMillis) {
        averageMillis.updateAndGet(avg -> (avg * 4 + elapsedMillis) / 5);
        slots.release();
    }

    int running() {
        return Math.max(0, maxConcurrent - slots.availablePermits());
    }

    int queued() {
        return waiting.get();
    }

    private AgentException tooMany(String why) {
        long retryAfter = Math.max(1, (averageMillis.get() * (1 + queued()) + 999) / 1000);
        return new AgentException(ErrorType.TOO_MANY_REQUESTS, "Too many concurrent executions: " + why
                + "; retry after " + retryAfter + " s", Map.of("retry_after_seconds", retryAfter), null);
    }
}
