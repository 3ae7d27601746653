package dev.dea.frame;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * The inverse of {@link FrameValues#write}: turns one wire-encoded value of a column
 * kind (docs/frame-format.md) back into the Java value FrameValues writes, so frames that
 * arrive as JSON (a sandbox result) go through {@code FrameWriter} exactly like SQL rows
 * do: same stats, same bytes on disk. A value that does not fit its kind is an
 * {@link IllegalArgumentException}; the producer broke the format.
 */
public final class WireValues {
    /** Exact numbers for json values: a jsonb number must not be rounded through a double. */
    private static final ObjectMapper TREES = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private WireValues() {
    }

    /**
     * Reads the value the parser is positioned on (its current token) and leaves the
     * parser on that value's last token.
     */
    public static Object read(JsonParser p, ColumnKind kind) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            throw new IllegalArgumentException("no value at the parser's position");
        }
        return switch (t) {
            case VALUE_NULL -> null;
            case START_ARRAY, START_OBJECT -> read((JsonNode) TREES.readTree(p), kind);
            case VALUE_NUMBER_INT -> switch (kind) {
                case INT64 -> {
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        throw new IllegalArgumentException("int64 value out of range: " + p.getText());
                    }
                    yield p.getLongValue();
                }
                case FLOAT64 -> p.getDoubleValue();
                case JSON -> new FrameValues.RawJson(p.getText());
                default -> throw mismatch(kind, p.getText());
            };
            case VALUE_NUMBER_FLOAT -> switch (kind) {
                case FLOAT64 -> p.getDoubleValue();
                case JSON -> new FrameValues.RawJson(p.getText());
                default -> throw mismatch(kind, p.getText());
            };
            case VALUE_TRUE, VALUE_FALSE -> switch (kind) {
                case BOOL -> t == JsonToken.VALUE_TRUE;
                case JSON -> new FrameValues.RawJson(t == JsonToken.VALUE_TRUE ? "true" : "false");
                default -> throw mismatch(kind, p.getText());
            };
            case VALUE_STRING -> kind == ColumnKind.JSON
                    ? new FrameValues.RawJson(TREES.writeValueAsString(p.getText()))
                    : fromString(p.getText(), kind);
            default -> throw new IllegalArgumentException("unexpected token " + t);
        };
    }

    /**
     * The Java value of one wire-encoded value; Java null or a JSON null is SQL NULL. A json
     * value keeps its exact number text only if the node was read with
     * {@code USE_BIG_DECIMAL_FOR_FLOATS} and without trailing-zero stripping; the parser
     * variant always does that.
     */
    public static Object read(JsonNode node, ColumnKind kind) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return switch (kind) {
            case INT64 -> {
                if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                    throw mismatch(kind, node.toString());
                }
                yield node.longValue();
            }
            case FLOAT64 -> {
                if (node.isNumber()) {
                    yield node.doubleValue();
                }
                if (node.isTextual()) {
                    yield fromString(node.textValue(), kind);
                }
                throw mismatch(kind, node.toString());
            }
            case BOOL -> {
                if (!node.isBoolean()) {
                    throw mismatch(kind, node.toString());
                }
                yield node.booleanValue();
            }
            // Compact re-serialisation: stored json texts hold no insignificant whitespace.
            case JSON -> new FrameValues.RawJson(node.toString());
            case ARRAY -> {
                if (!node.isArray()) {
                    throw mismatch(kind, node.toString());
                }
                yield arrayOf(node);
            }
            default -> {
                if (!node.isTextual()) {
                    throw mismatch(kind, node.toString());
                }
                yield fromString(node.textValue(), kind);
            }
        };
    }

    /**
     * The Java value of a value's JSON string form ({@code "2024-02-29"} for a date, {@code "NaN"} for a
     * float); IllegalArgumentException when the text is not a value of the kind.
     */
    public static Object fromText(String s, ColumnKind kind) {
        return fromString(s, kind);
    }

    private static Object fromString(String s, ColumnKind kind) {
        try {
            return switch (kind) {
                case STRING, TIME -> s;
                case FLOAT64 -> switch (s) {
                    case "NaN" -> Double.NaN;
                    case "Infinity" -> Double.POSITIVE_INFINITY;
                    case "-Infinity" -> Double.NEGATIVE_INFINITY;
                    default -> throw mismatch(kind, s);
                };
                // PostgreSQL's numeric NaN/infinities have no BigDecimal; JdbcFrames keeps their text too.
                case DECIMAL -> switch (s) {
                    case "NaN", "Infinity", "-Infinity" -> s;
                    default -> new BigDecimal(s);
                };
                case DATE -> switch (s) {
                    case "infinity" -> LocalDate.MAX;
                    case "-infinity" -> LocalDate.MIN;
                    default -> LocalDate.parse(s);
                };
                case TIMESTAMP -> switch (s) {
                    case "infinity" -> LocalDateTime.MAX;
                    case "-infinity" -> LocalDateTime.MIN;
                    default -> LocalDateTime.parse(s);
                };
                case TIMESTAMPTZ -> switch (s) {
                    case "infinity" -> OffsetDateTime.MAX;
                    case "-infinity" -> OffsetDateTime.MIN;
                    default -> OffsetDateTime.parse(s);
                };
                case BYTES -> Base64.getDecoder().decode(s);
                default -> throw mismatch(kind, s);
            };
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException("not a valid " + kind.wireName() + " value: " + clip(s), e);
        }
    }

    /**
     * Array elements keep their JSON encoding (the frame format gives them no kind):
     * strings stay strings, numbers that are not int64 stay their exact JSON text.
     */
    private static Object[] arrayOf(JsonNode array) {
        Object[] out = new Object[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = array.get(i);
            out[i] = switch (e.getNodeType()) {
                case NULL, MISSING -> null;
                case STRING -> e.textValue();
                case BOOLEAN -> e.booleanValue();
                case ARRAY -> arrayOf(e);
                case NUMBER -> e.isIntegralNumber() && e.canConvertToLong() ? (Object) e.longValue()
                        : new FrameValues.RawJson(e.toString());
                default -> new FrameValues.RawJson(e.toString());
            };
        }
        return out;
    }

    private static IllegalArgumentException mismatch(ColumnKind kind, String value) {
        return new IllegalArgumentException("not a valid " + kind.wireName() + " value: " + clip(value));
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
