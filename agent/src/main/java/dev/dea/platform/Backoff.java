package dev.dea.platform;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.random.RandomGenerator;

import static java.util.Objects.requireNonNull;

/**
 * Exponential backoff with full jitter: after the n-th consecutive failure (n starting at 1) the
 * delay is uniform in {@code [0, min(cap, base * 2^(n-1))]}.
 */
final class Backoff {
    /** A {@code Retry-After} beyond this is clamped, so a confused platform cannot park the agent for days. */
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);

    private final long baseNanos;
    private final long capNanos;
    private final RandomGenerator random;

    Backoff(Duration base, Duration cap, RandomGenerator random) {
        requireNonNull(base, "base");
        requireNonNull(cap, "cap");
        this.random = requireNonNull(random, "random");
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("need 0 < base <= cap, got base=" + base + " cap=" + cap);
        }
        this.baseNanos = base.toNanos();
        this.capNanos = cap.toNanos();
    }

    /** Upper bound of the delay after {@code failures} consecutive failures. */
    Duration ceiling(int failures) {
        int shift = Math.max(0, failures - 1);
        long ceiling = shift >= 62 || baseNanos > (capNanos >> shift) ? capNanos : baseNanos << shift;
        return Duration.ofNanos(Math.min(ceiling, capNanos));
    }

    /** A random delay in {@code [0, ceiling(failures)]}. */
    Duration delay(int failures) {
        return Duration.ofNanos(random.nextLong(ceiling(failures).toNanos() + 1));
    }

    /** Parses a {@code Retry-After} header: delta-seconds or an HTTP date; clamped to [0, MAX_RETRY_AFTER]. */
    static Optional<Duration> retryAfter(Optional<String> header, Instant now) {
        if (header.isEmpty() || header.get().isBlank()) {
            return Optional.empty();
        }
        String value = header.get().trim();
        Duration d;
        try {
            d = Duration.ofSeconds(Long.parseLong(value));
        } catch (NumberFormatException notSeconds) {
            try {
                d = Duration.between(now, ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
        if (d.isNegative()) {
            d = Duration.ZERO;
        }
        return Optional.of(d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d);
    }
}
