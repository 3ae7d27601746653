package dev.dea.upload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameValues;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The kind a single uploaded cell suggests, and a cell's value in a given kind: the rules of
 * docs/frame-format.md, "Uploads". Cells are text (CSV, TSV, xlsx strings), JSON nodes (JSON
 * Lines) or Java values (Arrow, xlsx numbers and booleans).
 */
final class Cells {
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,19}");
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern TIMESTAMP = Pattern.compile(
            "(\\d{4}-\\d{2}-\\d{2})[T ](\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?)(Z|z|[+-]\\d{2}(:?\\d{2})?)?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Cells() {
    }

    /** The kind {@code cell} suggests; null for an empty cell. */
    static ColumnKind kindOf(Object cell) {
        return switch (cell) {
            case null -> null;
            case String s -> textKind(s);
            case JsonNode n -> jsonKind(n);
            case Long l -> ColumnKind.INT64;
            case Integer i -> ColumnKind.INT64;
            case Double d -> ColumnKind.FLOAT64;
            case Float f -> ColumnKind.FLOAT64;
            case Boolean b -> ColumnKind.BOOL;
            case BigDecimal d -> ColumnKind.DECIMAL;
            case LocalDate d -> ColumnKind.DATE;
            case LocalDateTime t -> ColumnKind.TIMESTAMP;
            case OffsetDateTime t -> ColumnKind.TIMESTAMPTZ;
            case LocalTime t -> ColumnKind.TIME;
            case byte[] b -> ColumnKind.BYTES;
            case FrameValues.RawJson j -> ColumnKind.JSON;
            case Object[] a -> ColumnKind.ARRAY;
            default -> ColumnKind.STRING;
        };
    }

    static ColumnKind textKind(String s) {
        if (INTEGER.matcher(s).matches() && parsesAsLong(s)) {
            return ColumnKind.INT64;
        }
        if (NUMBER.matcher(s).matches()) {
            return ColumnKind.FLOAT64;
        }
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return ColumnKind.BOOL;
        }
        return temporalKind(s);
    }

    /** date, timestamp or timestamptz when {@code s} is one in ISO-8601, else string. */
    private static ColumnKind temporalKind(String s) {
        try {
            if (DATE.matcher(s).matches()) {
                LocalDate.parse(s);
                return ColumnKind.DATE;
            }
            var m = TIMESTAMP.matcher(s);
            if (m.matches()) {
                if (m.group(5) == null) {
                    toTimestamp(s);
                    return ColumnKind.TIMESTAMP;
                }
                toTimestampTz(s);
                return ColumnKind.TIMESTAMPTZ;
            }
        } catch (DateTimeParseException e) {
            // Shaped like a date but not one (2024-02-30): text.
        }
        return ColumnKind.STRING;
    }

    private static ColumnKind jsonKind(JsonNode n) {
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? ColumnKind.INT64 : ColumnKind.FLOAT64;
        }
        if (n.isNumber()) {
            return ColumnKind.FLOAT64;
        }
        if (n.isBoolean()) {
            return ColumnKind.BOOL;
        }
        if (n.isTextual()) {
            return temporalKind(n.textValue());
        }
        return ColumnKind.JSON;
    }

    /**
     * {@code cell} as a value of {@code kind} in the Java types FrameValues writes.
     *
     * @throws IllegalArgumentException when it is not one; the message says why, without the value's context
     */
    static Object convert(Object cell, ColumnKind kind) {
        return FrameValues.requireStorable(switch (cell) {
            case null -> null;
            case String s -> fromText(s, kind);
            case JsonNode n -> fromJson(n, kind);
            default -> fromValue(cell, kind);
        });
    }

    private static Object fromText(String s, ColumnKind kind) {
        try {
            return switch (kind) {
                case STRING -> s;
                case INT64 -> {
                    if (!INTEGER.matcher(s).matches()) {
                        throw new NumberFormatException();
                    }
                    yield Long.parseLong(s);
                }
                case FLOAT64 -> {
                    String l = s.toLowerCase(Locale.ROOT);
                    yield switch (l) {
                        case "nan" -> Double.NaN;
                        case "inf", "infinity", "+inf", "+infinity" -> Double.POSITIVE_INFINITY;
                        case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
                        default -> {
                            if (!NUMBER.matcher(s).matches()) {
                                throw new NumberFormatException();
                            }
                            yield Double.parseDouble(s);
                        }
                    };
                }
                case DECIMAL -> {
                    if (!NUMBER.matcher(s).matches()) {
                        throw new NumberFormatException();
                    }
                    yield new BigDecimal(s);
                }
                case BOOL -> {
                    if (s.equalsIgnoreCase("true")) {
                        yield Boolean.TRUE;
                    }
                    if (s.equalsIgnoreCase("false")) {
                        yield Boolean.FALSE;
                    }
                    throw new IllegalArgumentException(notA(s, kind));
                }
                case DATE -> LocalDate.parse(s);
                case TIMESTAMP -> toTimestamp(s);
                case TIMESTAMPTZ -> toTimestampTz(s);
                // Stored as the text PostgreSQL would print, as times from the databases are.
                case TIME -> FrameValues.formatTime(LocalTime.parse(s));
                case JSON -> new FrameValues.RawJson(JSON.readTree(s).toString());
                case BYTES -> Base64.getDecoder().decode(s);
                case ARRAY -> throw new IllegalArgumentException("a text cell cannot be an array");
            };
        } catch (NumberFormatException | DateTimeParseException | JsonProcessingException e) {
            throw new IllegalArgumentException(notA(s, kind));
        }
    }

    private static Object fromJson(JsonNode n, ColumnKind kind) {
        if (n.isNull()) {
            return null;
        }
        if (kind == ColumnKind.JSON) {
            return new FrameValues.RawJson(n.toString());
        }
        if (n.isTextual()) {
            return fromText(n.textValue(), kind);
        }
        return switch (kind) {
            case STRING -> n.isValueNode() ? n.asText() : n.toString();
            case INT64 -> {
                if (n.isIntegralNumber() && n.canConvertToLong()) {
                    yield n.longValue();
                }
                throw new IllegalArgumentException(notA(n.toString(), kind));
            }
            case FLOAT64 -> {
                if (n.isNumber()) {
                    yield n.doubleValue();
                }
                throw new IllegalArgumentException(notA(n.toString(), kind));
            }
            case DECIMAL -> {
                if (n.isNumber()) {
                    yield n.decimalValue();
                }
                throw new IllegalArgumentException(notA(n.toString(), kind));
            }
            case BOOL -> {
                if (n.isBoolean()) {
                    yield n.booleanValue();
                }
                throw new IllegalArgumentException(notA(n.toString(), kind));
            }
            default -> throw new IllegalArgumentException(notA(n.toString(), kind));
        };
    }

    private static Object fromValue(Object v, ColumnKind kind) {
        ColumnKind own = kindOf(v);
        if (own == kind) {
            return switch (v) {
                case Integer i -> i.longValue();
                case Float f -> f.doubleValue();
                // Stored as the text PostgreSQL would print, as times from the databases are.
                case LocalTime t -> FrameValues.formatTime(t);
                default -> v;
            };
        }
        return switch (kind) {
            case STRING -> v instanceof byte[] || v instanceof Object[] ? fail(v, kind) : v.toString();
            case FLOAT64 -> v instanceof Number n && own == ColumnKind.INT64 ? (Object) n.doubleValue() : fail(v, kind);
            case DECIMAL -> switch (v) {
                case Long l -> BigDecimal.valueOf(l);
                case Integer i -> BigDecimal.valueOf(i);
                case Double d when Double.isFinite(d) -> BigDecimal.valueOf(d);
                default -> fail(v, kind);
            };
            case INT64 -> v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p63 ? (Object) d.longValue() : fail(v, kind);
            case TIMESTAMP -> v instanceof LocalDate d ? d.atStartOfDay() : fail(v, kind);
            default -> fail(v, kind);
        };
    }

    private static Object fail(Object v, ColumnKind kind) {
        throw new IllegalArgumentException(notA(String.valueOf(v), kind));
    }

    private static String notA(String value, ColumnKind kind) {
        // The value itself stays out: error messages never carry row data (they reach logs and audit).
        return "the value is not " + (kind == ColumnKind.INT64 ? "an " : "a ") + kind.wireName()
                + " (" + value.length() + " characters)";
    }

    private static boolean parsesAsLong(String s) {
        try {
            Long.parseLong(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static LocalDateTime toTimestamp(String s) {
        return LocalDateTime.parse(s.replace(' ', 'T'));
    }

    private static OffsetDateTime toTimestampTz(String s) {
        String t = s.replace(' ', 'T');
        // ISO_OFFSET_DATE_TIME wants +hh:mm; files also write +hh and +hhmm.
        if (t.matches(".*[+-]\\d{2}")) {
            t = t + ":00";
        } else if (t.matches(".*[+-]\\d{4}")) {
            t = t.substring(0, t.length() - 2) + ":" + t.substring(t.length() - 2);
        }
        return OffsetDateTime.parse(t);
    }
}
