package dev.dea.platform;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new SplittableRandom(7));

    @Test
    void ceilingDoublesFromTheBaseUpToTheCap() {
        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.ceiling(6)).isEqualTo(Duration.ofSeconds(32));
        assertThat(backoff.ceiling(7)).isEqualTo(Duration.ofSeconds(60));
        assertThat(backoff.ceiling(1_000_000)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void fullJitterStaysWithinZeroAndTheCeilingAndSpreadsOverTheRange() {
        for (int failures = 1; failures <= 100; failures++) {
            Duration ceiling = backoff.ceiling(failures);
            Duration min = ceiling;
            Duration max = Duration.ZERO;
            for (int i = 0; i < 200; i++) {
                Duration d = backoff.delay(failures);
                assertThat(d).isBetween(Duration.ZERO, ceiling);
                min = d.compareTo(min) < 0 ? d : min;
                max = d.compareTo(max) > 0 ? d : max;
            }
            assertThat(min).isLessThan(ceiling.dividedBy(4));
            assertThat(max).isGreaterThan(ceiling.multipliedBy(3).dividedBy(4));
        }
    }

    @Test
    void retryAfterAcceptsSecondsAndHttpDatesAndIsClamped() {
        Instant now = Instant.parse("2026-01-02T03:04:05Z");
        assertThat(Backoff.retryAfter(Optional.of("7"), now)).contains(Duration.ofSeconds(7));
        assertThat(Backoff.retryAfter(Optional.of("Fri, 02 Jan 2026 03:04:35 GMT"), now)).contains(Duration.ofSeconds(30));
        assertThat(Backoff.retryAfter(Optional.of("999999"), now)).contains(Backoff.MAX_RETRY_AFTER);
        assertThat(Backoff.retryAfter(Optional.of("-3"), now)).contains(Duration.ZERO);
        assertThat(Backoff.retryAfter(Optional.of("soon"), now)).isEmpty();
        assertThat(Backoff.retryAfter(Optional.empty(), now)).isEmpty();
    }
}
