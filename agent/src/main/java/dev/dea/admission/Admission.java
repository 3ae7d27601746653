package dev.dea.admission;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Back-pressure for expensive work (sandbox executions, table profiles): at most
 * {@code maxConcurrent} callers hold a slot, at most {@code queueSize} more wait for one, for
 * at most {@code maxWait}; anyone beyond is told to come back later (TOO_MANY_REQUESTS with
 * {@code retry_after_seconds}) instead of piling up threads, containers or database scans.
 */
public final class Admission {
    private final String slotName;
    private final int maxConcurrent;
    private final Semaphore slots;
    private final int queueSize;
    private final Duration maxWait;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger spares = new AtomicInteger();
    /** Exponential moving average of execution time, for Retry-After. */
    private final AtomicLong averageMillis = new AtomicLong(2_000);

    /** {@code slotName} names the slots in messages ("sandbox", "profile"). */
    public Admission(String slotName, int maxConcurrent, int queueSize, Duration maxWait) {
        if (maxConcurrent < 1 || queueSize < 0) {
            throw new IllegalArgumentException("maxConcurrent must be >= 1 and queueSize >= 0");
        }
        this.slotName = slotName;
        this.maxConcurrent = maxConcurrent;
        this.slots = new Semaphore(maxConcurrent, true);
        this.queueSize = queueSize;
        this.maxWait = maxWait;
    }

    /** Takes a slot, waiting in the bounded queue if needed; TOO_MANY_REQUESTS otherwise. */
    public void acquire() {
        try {
            // Not tryAcquire(): it takes a free slot even with callers queued before us (the
            // semaphore's fairness applies to timed waits only), so they could starve into a 429.
            if (slots.tryAcquire(0, TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw tooMany("interrupted while waiting for a " + slotName + " slot");
        }
        if (waiting.incrementAndGet() > queueSize) {
            waiting.decrementAndGet();
            throw tooMany("all " + running() + " " + slotName + " slots are busy and the wait queue (" + queueSize
                    + ") is full");
        }
        try {
            if (!slots.tryAcquire(maxWait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw tooMany("no " + slotName + " slot became free within " + maxWait.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw tooMany("interrupted while waiting for a " + slotName + " slot");
        } finally {
            waiting.decrementAndGet();
        }
    }

    public void release(long elapsedMillis) {
        averageMillis.updateAndGet(avg -> (avg * 4 + elapsedMillis) / 5);
        slots.release();
    }

    /**
     * Takes a second slot for work already holding one, only if it is free now and nobody waits
     * for it: work may use an idle slot's resources (a database connection) to go faster, never
     * to delay other work. Give it back with {@link #releaseSpare()}.
     */
    public boolean tryAcquireSpare() {
        try {
            if (waiting.get() == 0 && slots.tryAcquire(0, TimeUnit.MILLISECONDS)) {
                spares.incrementAndGet();
                return true;
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public void releaseSpare() {
        spares.decrementAndGet();
        slots.release();
    }

    /** Work holding slots; a spare slot is not work of its own. */
    public int running() {
        return Math.max(0, maxConcurrent - slots.availablePermits() - spares.get());
    }

    public int queued() {
        return waiting.get();
    }

    private AgentException tooMany(String why) {
        return rejection(slotName, why, Math.max(1, (averageMillis.get() * (1 + queued()) + 999) / 1000));
    }

    /** The TOO_MANY_REQUESTS of work bounded elsewhere (the job queue), in the same words and with a Retry-After. */
    public static AgentException rejection(String slotName, String why, long retryAfterSeconds) {
        return new AgentException(ErrorType.TOO_MANY_REQUESTS, "Too many concurrent " + slotName + " requests: " + why
                + "; retry after " + retryAfterSeconds + " s", Map.of("retry_after_seconds", retryAfterSeconds), null);
    }
}
