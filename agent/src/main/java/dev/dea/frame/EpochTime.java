package dev.dea.frame;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Dates as int64 days and timestamps as int64 microseconds since 1970-01-01 (UTC for
 * timestamptz), with PostgreSQL's {@code infinity} and {@code -infinity} as the two extreme
 * values: the encoding of stored columns (docs/frame-format.md) and the key of a temporal value
 * in column statistics, so both count an instant the same way.
 */
public final class EpochTime {
    /** PostgreSQL's {@code infinity} in date and timestamp buffers. */
    public static final long POSITIVE_INFINITY = Long.MAX_VALUE;
    /** PostgreSQL's {@code -infinity}. */
    public static final long NEGATIVE_INFINITY = Long.MIN_VALUE;

    private EpochTime() {
    }

    public static long days(LocalDate d) {
        if (d.equals(LocalDate.MAX)) {
            return POSITIVE_INFINITY;
        }
        return d.equals(LocalDate.MIN) ? NEGATIVE_INFINITY : d.toEpochDay();
    }

    public static LocalDate date(long days) {
        if (days == POSITIVE_INFINITY) {
            return LocalDate.MAX;
        }
        return days == NEGATIVE_INFINITY ? LocalDate.MIN : LocalDate.ofEpochDay(days);
    }

    public static long micros(LocalDateTime t) {
        if (t.equals(LocalDateTime.MAX)) {
            return POSITIVE_INFINITY;
        }
        if (t.equals(LocalDateTime.MIN)) {
            return NEGATIVE_INFINITY;
        }
        return micros(t.toEpochSecond(ZoneOffset.UTC), t.getNano());
    }

    public static long micros(OffsetDateTime t) {
        if (t.equals(OffsetDateTime.MAX)) {
            return POSITIVE_INFINITY;
        }
        if (t.equals(OffsetDateTime.MIN)) {
            return NEGATIVE_INFINITY;
        }
        return micros(t.toEpochSecond(), t.getNano());
    }

    private static long micros(long epochSecond, int nano) {
        // Sub-microsecond digits are cut, never rounded up into the next microsecond.
        return Math.addExact(Math.multiplyExact(epochSecond, 1_000_000L), nano / 1_000);
    }

    public static LocalDateTime timestamp(long micros) {
        if (micros == POSITIVE_INFINITY) {
            return LocalDateTime.MAX;
        }
        if (micros == NEGATIVE_INFINITY) {
            return LocalDateTime.MIN;
        }
        return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                (int) Math.floorMod(micros, 1_000_000L) * 1_000, ZoneOffset.UTC);
    }

    public static OffsetDateTime timestampTz(long micros) {
        if (micros == POSITIVE_INFINITY) {
            return OffsetDateTime.MAX;
        }
        if (micros == NEGATIVE_INFINITY) {
            return OffsetDateTime.MIN;
        }
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L)
                .atOffset(ZoneOffset.UTC);
    }
}
