package dev.dea.auth;

import dev.dea.testing.ManualClock;
import org.junit.jupiter.api.Test;

import static dev.dea.auth.NonceCache.Result.EXPIRED;
import static dev.dea.auth.NonceCache.Result.FULL;
import static dev.dea.auth.NonceCache.Result.RECORDED;
import static dev.dea.auth.NonceCache.Result.REPLAYED;
import static org.assertj.core.api.Assertions.assertThat;

class NonceCacheTest {
    private static final long T0 = 1_767_225_600L;

    private final ManualClock clock = new ManualClock(T0);

    @Test
    void remembersANonceUntilItsExpiryHasPassed() {
        NonceCache cache = new NonceCache(10, clock);
        assertThat(cache.record("nonce-a", T0 + 300)).isEqualTo(RECORDED);
        assertThat(cache.record("nonce-a", T0 + 300)).isEqualTo(REPLAYED);
        clock.advanceSeconds(300);
        assertThat(cache.record("nonce-a", T0 + 300)).as("still inside the window at its last second").isEqualTo(REPLAYED);
        clock.advanceSeconds(1);
        assertThat(cache.size()).isZero();
        assertThat(cache.record("nonce-a", T0 + 601)).as("forgotten once expired").isEqualTo(RECORDED);
    }

    @Test
    void refusesANonceWhoseExpiryHasPassedRatherThanRecordingItAfresh() {
        NonceCache cache = new NonceCache(10, clock);
        assertThat(cache.record("nonce-a", T0 + 300)).isEqualTo(RECORDED);
        clock.advanceSeconds(301);
        // The first record is evicted by this call; recording the same request again would let it run twice.
        assertThat(cache.record("nonce-a", T0 + 300)).isEqualTo(EXPIRED);
        assertThat(cache.record("nonce-b", T0 + 300)).as("a never-seen nonce past its expiry too").isEqualTo(EXPIRED);
        assertThat(cache.size()).isZero();
    }

    @Test
    void refusesNewNoncesWhenFullOfUnexpiredOnesRatherThanForgettingOne() {
        NonceCache cache = new NonceCache(3, clock);
        assertThat(cache.record("n1", T0 + 100)).isEqualTo(RECORDED);
        assertThat(cache.record("n2", T0 + 50)).isEqualTo(RECORDED);
        assertThat(cache.record("n3", T0 + 200)).isEqualTo(RECORDED);
        assertThat(cache.record("n4", T0 + 300)).isEqualTo(FULL);
        assertThat(cache.secondsUntilRoom()).as("n2 expires first").isEqualTo(51);
        for (String n : new String[] {"n1", "n2", "n3"}) {
            assertThat(cache.record(n, T0 + 300)).as("no unexpired nonce was forgotten").isEqualTo(REPLAYED);
        }
        assertThat(cache.size()).isEqualTo(3);
    }

    @Test
    void evictsExpiredNoncesFirstWhenFull() {
        NonceCache cache = new NonceCache(2, clock);
        cache.record("n1", T0 + 10);
        cache.record("n2", T0 + 100);
        clock.advanceSeconds(11);
        assertThat(cache.record("n3", T0 + 300)).isEqualTo(RECORDED);
        assertThat(cache.record("n2", T0 + 300)).isEqualTo(REPLAYED);
        assertThat(cache.size()).isEqualTo(2);
    }

    @Test
    void staysBoundedUnderAStreamOfRequests() {
        NonceCache cache = new NonceCache(1_000, clock);
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            // Ten requests a second, each remembered 300 s: 3,000 would be live without the bound.
            if (i % 10 == 0) {
                clock.advanceSeconds(1);
            }
            long now = clock.instant().getEpochSecond();
            if (cache.record("nonce-" + i, now + 300) == FULL) {
                refused++;
            }
            assertThat(cache.size()).isLessThanOrEqualTo(1_000);
        }
        assertThat(refused).isPositive();
    }
}
