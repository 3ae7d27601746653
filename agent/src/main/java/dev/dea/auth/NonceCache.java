package dev.dea.auth;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Nonces of verified requests, each remembered until its request's timestamp can no longer
 * pass the window check (timestamp + max age); after that the timestamp alone rejects a
 * replay, so forgetting is safe. Expired nonces are dropped on every call, and a nonce
 * whose own expiry has passed is refused rather than recorded: it may be one just dropped.
 *
 * <p>Memory is bounded by {@code capacity}. When it is reached by unexpired nonces the cache
 * refuses new ones ({@link Result#FULL}) instead of forgetting one that could still be
 * replayed: only a holder of the secret can fill it (nonces are recorded after the signature
 * verified), and a caller that fast is better slowed down than left open to replays.
 */
public final class NonceCache {
    public enum Result { RECORDED, REPLAYED, FULL, EXPIRED }

    private record Entry(long expiresAt, String nonce) {
    }

    private final int capacity;
    private final Clock clock;
    private final Map<String, Long> expiries = new HashMap<>();
    private final PriorityQueue<Entry> byExpiry = new PriorityQueue<>((a, b) -> Long.compare(a.expiresAt(), b.expiresAt()));

    public NonceCache(int capacity, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.clock = clock;
    }

    /**
     * Remembers {@code nonce} until {@code expiresAt} (unix seconds, inclusive) unless it is
     * already remembered, the cache is full, or {@code expiresAt} has already passed
     * ({@link Result#EXPIRED}).
     */
    public synchronized Result record(String nonce, long expiresAt) {
        evictExpired();
        // The caller's window check ran earlier (before a body that may have trickled in), so
        // the eviction above may just have forgotten this very nonce; a request whose own
        // expiry has passed by this clock must be refused, or a replay of it would run again.
        if (expiresAt < now()) {
            return Result.EXPIRED;
        }
        if (expiries.containsKey(nonce)) {
            return Result.REPLAYED;
        }
        if (expiries.size() >= capacity) {
            return Result.FULL;
        }
        expiries.put(nonce, expiresAt);
        byExpiry.add(new Entry(expiresAt, nonce));
        return Result.RECORDED;
    }

    /** Seconds until the soonest nonce expires and makes room (at least 1). */
    public synchronized long secondsUntilRoom() {
        Entry first = byExpiry.peek();
        return first == null ? 1 : Math.max(1, first.expiresAt() - now() + 1);
    }

    public synchronized int size() {
        evictExpired();
        return expiries.size();
    }

    public int capacity() {
        return capacity;
    }

    private void evictExpired() {
        long now = now();
        while (!byExpiry.isEmpty() && byExpiry.peek().expiresAt() < now) {
            expiries.remove(byExpiry.poll().nonce());
        }
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }
}
