package dev.dea.arrow;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;

/**
 * Writes one value of a frame's JSON encoding (docs/frame-format.md) into an Arrow vector.
 * The parser stands on the value's first token; a writer leaves it on the value's last.
 */
interface ArrowValues {
    long MICROS_PER_DAY = 86_400_000_000L;

    /** {@code line} is the row's bytes: a json value is copied from it as text. */
    void write(JsonParser p, byte[] line, int index) throws IOException;

    static ArrowValues forVector(FieldVector vector) {
        ArrowValues values = switch (vector) {
            case BigIntVector v -> (p, line, i) -> v.setSafe(i, p.getLongValue());
            case Float8Vector v -> (p, line, i) -> v.setSafe(i, doubleOf(p));
            case BitVector v -> (p, line, i) -> v.setSafe(i, p.currentToken() == JsonToken.VALUE_TRUE ? 1 : 0);
            case DecimalVector v -> (p, line, i) -> v.setSafe(i, decimal(p, v.getPrecision(), v.getScale()));
            case Decimal256Vector v -> (p, line, i) -> v.setSafe(i, decimal(p, v.getPrecision(), v.getScale()));
            case DateDayVector v -> (p, line, i) -> {
                LocalDate d = date(p.getText());
                if (d == null) {
                    v.setNull(i);
                } else {
                    v.setSafe(i, Math.toIntExact(d.toEpochDay()));
                }
            };
            case TimeStampVector v -> (p, line, i) -> {
                Long micros = timestampMicros(p.getText(), ArrowTypes.TIMESTAMPTZ.equals(v.getField().getType()));
                if (micros == null) {
                    v.setNull(i);
                } else {
                    v.setSafe(i, micros);
                }
            };
            case TimeMicroVector v -> (p, line, i) -> v.setSafe(i, timeMicros(p.getText()));
            case VarBinaryVector v -> (p, line, i) -> v.setSafe(i, Base64.getDecoder().decode(p.getText()));
            case VarCharVector v when v.getField().getMetadata().containsKey("ARROW:extension:name") ->
                    (p, line, i) -> v.setSafe(i, jsonText(p, line));
            case VarCharVector v -> (p, line, i) -> v.setSafe(i, text(p, line));
            case ListVector v -> list(v);
            default -> throw new IllegalArgumentException("no Arrow writer for " + vector.getClass().getSimpleName());
        };
        return (p, line, i) -> {
            if (p.currentToken() == JsonToken.VALUE_NULL) {
                setNull(vector, i);
            } else {
                values.write(p, line, i);
            }
        };
    }

    private static ArrowValues list(ListVector v) {
        FieldVector data = v.getDataVector();
        ArrowValues element = forVector(data);
        // Arrays nest for more than one dimension; Arrow's list has one: inner arrays are flattened in row-major
        // order. A json element that is itself an array is a value, not a dimension (the file cannot tell them apart).
        boolean jsonElements = data.getField().getMetadata().containsKey("ARROW:extension:name");
        return (p, line, i) -> {
            int offset = v.startNewValue(i);
            int[] count = {0};
            flatten(p, line, element, offset, count, !jsonElements);
            data.setValueCount(offset + count[0]);
            v.endValue(i, count[0]);
        };
    }

    private static void flatten(JsonParser p, byte[] line, ArrowValues element, int offset, int[] count,
                                boolean nested) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new IOException("an array value of the frame ends early");
            }
            if (t == JsonToken.START_ARRAY && nested) {
                flatten(p, line, element, offset, count, true);
            } else {
                element.write(p, line, offset + count[0]);
                count[0]++;
            }
        }
    }

    private static void setNull(FieldVector vector, int i) {
        switch (vector) {
            case BaseFixedWidthVector v -> v.setNull(i);
            case BaseVariableWidthVector v -> v.setNull(i);
            case ListVector v -> v.setNull(i);
            default -> throw new IllegalArgumentException("no null for " + vector.getClass().getSimpleName());
        }
    }

    private static double doubleOf(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return switch (p.getText()) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> throw new IOException("not a float64 value: " + p.getText());
            };
        }
        return p.getDoubleValue();
    }

    /** The value at the column's scale; ArrowTypes chose the type only for columns where every value fits. */
    private static BigDecimal decimal(JsonParser p, int precision, int scale) throws IOException {
        BigDecimal d = new BigDecimal(p.getText()).setScale(scale, RoundingMode.UNNECESSARY);
        if (d.precision() > precision) {
            throw new IllegalArgumentException("decimal " + d + " exceeds precision " + precision);
        }
        return d;
    }

    /** Infinite dates have no date32 value: they become NULL (documented). */
    private static LocalDate date(String s) {
        return s.endsWith("infinity") ? null : LocalDate.parse(s);
    }

    private static Long timestampMicros(String s, boolean withZone) {
        if (s.endsWith("infinity")) {
            return null;
        }
        try {
            java.time.Instant at = withZone ? OffsetDateTime.parse(s).toInstant() : LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
            return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1_000);
        } catch (ArithmeticException e) {
            return null;
        }
    }

    private static long timeMicros(String s) {
        // PostgreSQL's time allows 24:00:00, which LocalTime does not.
        if (s.startsWith("24:00")) {
            return MICROS_PER_DAY;
        }
        try {
            return LocalTime.parse(s).toNanoOfDay() / 1_000;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a time value: " + s, e);
        }
    }

    /** A string as itself; any other element (a Python list of mixed values) as its JSON text. */
    private static byte[] text(JsonParser p, byte[] line) throws IOException {
        return p.currentToken() == JsonToken.VALUE_STRING ? p.getText().getBytes(StandardCharsets.UTF_8) : jsonText(p, line);
    }

    /** The value's own JSON text, exactly as stored (a jsonb number keeps every digit). */
    private static byte[] jsonText(JsonParser p, byte[] line) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_STRING) {
            byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(p.getText());
            byte[] out = new byte[quoted.length + 2];
            out[0] = '"';
            System.arraycopy(quoted, 0, out, 1, quoted.length);
            out[out.length - 1] = '"';
            return out;
        }
        if (!t.isStructStart()) {
            return p.getText().getBytes(StandardCharsets.UTF_8);
        }
        // With the row parsed from offset 0, token offsets index `line`.
        int start = (int) p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        int end = (int) p.currentLocation().getByteOffset();
        return Arrays.copyOfRange(line, start, end);
    }
}
