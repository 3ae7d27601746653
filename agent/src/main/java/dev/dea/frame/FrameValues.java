package dev.dea.frame;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.Base64;
import java.util.Collection;

/**
 * The one JSON encoding of frame values, used on disk, in previews and in exports, so
 * a value looks the same wherever it appears. Java values come from {@link JdbcFrames}
 * (or, later, from a sandbox result): Long, Double, Boolean, String, BigDecimal,
 * LocalDate, LocalDateTime, OffsetDateTime, LocalTime/OffsetTime, {@link RawJson},
 * byte[], Object[] (arrays), or null.
 */
public final class FrameValues {
    private FrameValues() {
    }

    /** Marker for text that is already valid JSON (json/jsonb columns), written verbatim. */
    public record RawJson(String json) {
        public RawJson {
            java.util.Objects.requireNonNull(json, "json");
        }
    }

    /** Digits a decimal may have before its point: PostgreSQL numeric's limit, which every database's values fit. */
    public static final int MAX_DECIMAL_INTEGER_DIGITS = 131_072;
    /** Digits a decimal may have after its point (PostgreSQL numeric's limit). */
    public static final int MAX_DECIMAL_SCALE = 16_383;

    /**
     * {@code value} itself if a frame can store it; for values that come from outside the
     * databases (uploads, inline tables). A decimal's plain text is what a frame stores, and
     * {@code 1e999999999} is three characters of input and a gigabyte of plain text; a
     * timestamp must fit int64 microseconds (about 292,000 years either side of 1970).
     *
     * @throws IllegalArgumentException saying which limit the value is beyond
     */
    public static Object requireStorable(Object value) {
        switch (value) {
            case BigDecimal d -> {
                if (d.scale() > MAX_DECIMAL_SCALE || (long) d.precision() - d.scale() > MAX_DECIMAL_INTEGER_DIGITS) {
                    throw new IllegalArgumentException("a decimal with more than " + MAX_DECIMAL_INTEGER_DIGITS
                            + " digits before the point or " + MAX_DECIMAL_SCALE + " after it");
                }
            }
            case LocalDateTime t -> requireMicros(() -> EpochTime.micros(t));
            case OffsetDateTime t -> requireMicros(() -> EpochTime.micros(t));
            case Object[] array -> {
                for (Object element : array) {
                    requireStorable(element);
                }
            }
            case null, default -> {
            }
        }
        return value;
    }

    private static void requireMicros(java.util.function.LongSupplier micros) {
        try {
            micros.getAsLong();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a timestamp outside the range of int64 microseconds since 1970");
        }
    }

    /**
     * About how many bytes {@code value} takes in its JSON encoding, without encoding it: what
     * bounds a preview held in memory. Exact enough for texts, binary and arrays, which are what
     * make rows large; small scalars count a flat few bytes.
     */
    public static long estimatedJsonBytes(Object value) {
        return switch (value) {
            case null -> 4;
            case String s -> s.length() + 2L;
            case RawJson j -> j.json().length();
            case byte[] b -> (b.length + 2L) / 3 * 4 + 2;
            case BigDecimal d -> d.precision() + 4L;
            case Object[] array -> {
                long sum = 2;
                for (Object element : array) {
                    sum += estimatedJsonBytes(element) + 1;
                }
                yield sum;
            }
            default -> 24;
        };
    }

    public static void write(JsonGenerator g, Object value) throws IOException {
        switch (value) {
            case null -> g.writeNull();
            case Long l -> g.writeNumber(l);
            case Integer i -> g.writeNumber(i);
            case Short s -> g.writeNumber(s);
            case Double d -> writeDouble(g, d);
            case Float f -> writeDouble(g, f.doubleValue());
            case Boolean b -> g.writeBoolean(b);
            case String s -> g.writeString(s);
            // Decimals travel as strings: a JSON number would be rounded to a double by most readers.
            case BigDecimal d -> g.writeString(d.toPlainString());
            case BigInteger i -> g.writeString(i.toString());
            case LocalDate d -> g.writeString(formatDate(d));
            case LocalDateTime t -> g.writeString(formatTimestamp(t));
            case OffsetDateTime t -> g.writeString(formatTimestampTz(t));
            case java.time.LocalTime t -> g.writeString(formatTime(t));
            case RawJson j -> g.writeRawValue(j.json());
            case byte[] b -> g.writeString(Base64.getEncoder().encodeToString(b));
            case Object[] array -> {
                g.writeStartArray();
                for (Object element : array) {
                    write(g, element);
                }
                g.writeEndArray();
            }
            case Collection<?> list -> {
                g.writeStartArray();
                for (Object element : list) {
                    write(g, element);
                }
                g.writeEndArray();
            }
            case TemporalAccessor t -> g.writeString(t.toString());
            default -> g.writeString(value.toString());
        }
    }

    private static void writeDouble(JsonGenerator g, double d) throws IOException {
        // NaN and infinities are not JSON numbers; strings keep the document valid and the value exact.
        if (Double.isNaN(d)) {
            g.writeString("NaN");
        } else if (d == Double.POSITIVE_INFINITY) {
            g.writeString("Infinity");
        } else if (d == Double.NEGATIVE_INFINITY) {
            g.writeString("-Infinity");
        } else {
            g.writeNumber(d);
        }
    }

    /**
     * "13:45:00", "13:45:00.5", "23:59:59.123456": as PostgreSQL prints a time, seconds always,
     * microseconds at most. LocalTime.toString() drops zero seconds ("13:45").
     */
    public static String formatTime(java.time.LocalTime t) {
        String hms = String.format(java.util.Locale.ROOT, "%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond());
        int micros = t.getNano() / 1_000;
        if (micros == 0) {
            return hms;
        }
        return hms + "." + String.format(java.util.Locale.ROOT, "%06d", micros).replaceFirst("0+$", "");
    }

    // PostgreSQL's 'infinity' dates arrive from pgjdbc as MAX/MIN; ISO-8601 has no spelling for them.
    public static String formatDate(LocalDate d) {
        if (d.equals(LocalDate.MAX)) {
            return "infinity";
        }
        if (d.equals(LocalDate.MIN)) {
            return "-infinity";
        }
        StringBuilder sb = new StringBuilder(10);
        return appendDate(sb, d) ? sb.toString() : d.toString();
    }

    public static String formatTimestamp(LocalDateTime t) {
        if (t.equals(LocalDateTime.MAX)) {
            return "infinity";
        }
        if (t.equals(LocalDateTime.MIN)) {
            return "-infinity";
        }
        // toString() drops ":00" seconds; these always write them, so values sort and parse uniformly.
        StringBuilder sb = new StringBuilder(26);
        if (!appendDate(sb, t.toLocalDate())) {
            return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t);
        }
        appendTime(sb.append('T'), t.getHour(), t.getMinute(), t.getSecond(), t.getNano());
        return sb.toString();
    }

    public static String formatTimestampTz(OffsetDateTime t) {
        if (t.equals(OffsetDateTime.MAX)) {
            return "infinity";
        }
        if (t.equals(OffsetDateTime.MIN)) {
            return "-infinity";
        }
        StringBuilder sb = new StringBuilder(32);
        int offset = t.getOffset().getTotalSeconds();
        if (!appendDate(sb, t.toLocalDate()) || offset % 60 != 0) {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t);
        }
        appendTime(sb.append('T'), t.getHour(), t.getMinute(), t.getSecond(), t.getNano());
        if (offset == 0) {
            return sb.append('Z').toString();
        }
        int abs = Math.abs(offset) / 60;
        sb.append(offset < 0 ? '-' : '+');
        pad2(sb, abs / 60).append(':');
        return pad2(sb, abs % 60).toString();
    }

    // Hand-written ISO-8601 printing: DateTimeFormatter was the largest cost of writing a
    // timestamp column (bench (a)). Output is identical to ISO_LOCAL_DATE_TIME / ISO_OFFSET_DATE_TIME
    // for years 0000-9999; other years fall back to the formatter.
    private static boolean appendDate(StringBuilder sb, LocalDate d) {
        int year = d.getYear();
        if (year < 0 || year > 9999) {
            return false;
        }
        sb.append((char) ('0' + year / 1000)).append((char) ('0' + year / 100 % 10))
                .append((char) ('0' + year / 10 % 10)).append((char) ('0' + year % 10)).append('-');
        pad2(sb, d.getMonthValue()).append('-');
        pad2(sb, d.getDayOfMonth());
        return true;
    }

    private static void appendTime(StringBuilder sb, int hour, int minute, int second, int nano) {
        pad2(sb, hour).append(':');
        pad2(sb, minute).append(':');
        pad2(sb, second);
        if (nano > 0) {
            // Minimal fraction digits, as ISO_LOCAL_TIME prints them (".5", ".678", ".000001").
            int digits = 9;
            int n = nano;
            while (n % 10 == 0) {
                n /= 10;
                digits--;
            }
            sb.append('.');
            String frac = Integer.toString(n);
            for (int i = frac.length(); i < digits; i++) {
                sb.append('0');
            }
            sb.append(frac);
        }
    }

    private static StringBuilder pad2(StringBuilder sb, int v) {
        return sb.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }
}
