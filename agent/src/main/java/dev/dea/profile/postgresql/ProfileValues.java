package dev.dea.profile.postgresql;

import dev.dea.frame.FrameValues;

import java.math.BigDecimal;
import java.math.MathContext;
import java.sql.Array;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Turns database text into JSON-safe values: no bare NaN or Infinity ever reaches the response. */
final class ProfileValues {
    /** Values longer than this are cut (and marked with an ellipsis): a profile shows formats, not documents. */
    static final int MAX_DISPLAY_CHARS = 200;
    private static final MathContext DIGITS = new MathContext(6);

    private ProfileValues() {
    }

    /** A finite double as a number; NaN and infinities as PostgreSQL spells them, as strings. */
    static Object number(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return d;
    }

    /** Like {@link #number} but to six significant digits: means and spreads, where more is noise. */
    static Object approximate(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d) || d == 0) {
            return number(d);
        }
        return new BigDecimal(d).round(DIGITS).doubleValue();
    }

    /** Text of a numeric, float or integer aggregate (avg, stddev) as a double, or null. */
    static Object approximate(String text) {
        if (text == null) {
            return null;
        }
        return switch (text) {
            case "NaN" -> "NaN";
            case "Infinity" -> "Infinity";
            case "-Infinity" -> "-Infinity";
            default -> approximate(new BigDecimal(text).doubleValue());
        };
    }

    /** A grouped value's text as the JSON value it stands for: numbers and booleans typed, the rest as text. */
    static Object typed(StatKind kind, String text) {
        if (text.length() > MAX_DISPLAY_CHARS) {
            return text.substring(0, MAX_DISPLAY_CHARS) + "…";
        }
        try {
            return switch (kind) {
                case INTEGER -> Long.parseLong(text);
                case FLOAT -> number(Double.parseDouble(text));
                case BOOL -> Boolean.parseBoolean(text);
                // Same spelling as min and max ("...Z"); to_json wrote "+00:00".
                case TIMESTAMPTZ -> iso(OffsetDateTime.parse(text));
                default -> text;
            };
        } catch (NumberFormatException | DateTimeParseException e) {
            return text; // "NaN" and friends, or a value cut at the display limit
        }
    }

    /**
     * Timestamps with a time zone as UTC instants, seconds always shown: 2022-01-02T00:00:00Z,
     * printed by the frames' own printer so a profile and a result frame spell an instant alike.
     */
    static String iso(OffsetDateTime t) {
        // pgjdbc's +-infinity (MAX/MIN) cannot move to UTC; the printer spells them itself.
        return FrameValues.formatTimestampTz(t.equals(OffsetDateTime.MAX) || t.equals(OffsetDateTime.MIN)
                ? t : t.withOffsetSameInstant(ZoneOffset.UTC));
    }

    /** Timestamps without a time zone, seconds always shown: 2022-01-02T00:00:00, as in result frames. */
    static String iso(LocalDateTime t) {
        return FrameValues.formatTimestamp(t);
    }

    static Object[] array(Array array) throws SQLException {
        if (array == null) {
            return null;
        }
        try {
            return (Object[]) array.getArray();
        } finally {
            array.free();
        }
    }

    static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
