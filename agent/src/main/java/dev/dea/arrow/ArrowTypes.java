package dev.dea.arrow;

import dev.dea.cache.ColumnMeta;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Arrow type of each frame column kind (the table in docs/frame-format.md, "Arrow").
 * Where the kind alone does not say enough (a decimal's precision, an array's element type,
 * time with or without a zone) the column's {@code source_type} and stats decide.
 */
final class ArrowTypes {
    /** Arrow's canonical JSON extension type: readers that know it see JSON, others plain utf8. */
    static final Map<String, String> JSON_MARKER = Map.of("ARROW:extension:name", "arrow.json",
            "ARROW:extension:metadata", "");
    static final int MAX_DECIMAL128_PRECISION = 38;
    static final int MAX_DECIMAL256_PRECISION = 76;

    static final ArrowType INT64 = new ArrowType.Int(64, true);
    static final ArrowType FLOAT64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
    static final ArrowType UTF8 = ArrowType.Utf8.INSTANCE;
    static final ArrowType BOOL = ArrowType.Bool.INSTANCE;
    static final ArrowType BINARY = ArrowType.Binary.INSTANCE;
    static final ArrowType DATE32 = new ArrowType.Date(DateUnit.DAY);
    static final ArrowType TIMESTAMP = new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
    static final ArrowType TIMESTAMPTZ = new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
    static final ArrowType TIME64 = new ArrowType.Time(TimeUnit.MICROSECOND, 64);

    // numeric(p,s) / numeric(p) / decimal(p,s) as pgjdbc and the SQL runner name them.
    private static final Pattern NUMERIC = Pattern.compile("(?:numeric|decimal)\\s*\\(\\s*(\\d+)\\s*(?:,\\s*(-?\\d+)\\s*)?\\)");

    private ArrowTypes() {
    }

    static Field field(ColumnMeta column) {
        return switch (column.kind()) {
            case INT64 -> scalar(column.name(), INT64);
            case FLOAT64 -> scalar(column.name(), FLOAT64);
            case BOOL -> scalar(column.name(), BOOL);
            case STRING -> scalar(column.name(), UTF8);
            case DECIMAL -> scalar(column.name(), decimal(column));
            case DATE -> scalar(column.name(), DATE32);
            case TIMESTAMP -> scalar(column.name(), TIMESTAMP);
            case TIMESTAMPTZ -> scalar(column.name(), TIMESTAMPTZ);
            case TIME -> scalar(column.name(), isPlainTime(column.sourceType()) ? TIME64 : UTF8);
            case JSON -> json(column.name());
            case BYTES -> scalar(column.name(), BINARY);
            case ARRAY -> new Field(column.name(), FieldType.nullable(ArrowType.List.INSTANCE),
                    List.of(element(column.sourceType())));
        };
    }

    private static Field scalar(String name, ArrowType type) {
        return new Field(name, FieldType.nullable(type), null);
    }

    private static Field json(String name) {
        return new Field(name, new FieldType(true, UTF8, null, JSON_MARKER), null);
    }

    /**
     * decimal128/256 when the source declares a precision that fits and every value is finite
     * (the stats' min and max are numbers, no NaN counted); otherwise utf8 with the exact text.
     */
    static ArrowType decimal(ColumnMeta column) {
        Matcher m = NUMERIC.matcher(column.sourceType().toLowerCase(Locale.ROOT));
        if (!m.matches() || !finite(column.stats())) {
            return UTF8;
        }
        int precision = Integer.parseInt(m.group(1));
        int scale = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        if (precision < 1 || scale < 0 || scale > precision) {
            return UTF8;
        }
        if (precision <= MAX_DECIMAL128_PRECISION) {
            return new ArrowType.Decimal(precision, scale, 128);
        }
        if (precision <= MAX_DECIMAL256_PRECISION) {
            return new ArrowType.Decimal(precision, scale, 256);
        }
        return UTF8;
    }

    private static boolean finite(Map<String, Object> stats) {
        if (stats.get("nan_count") instanceof Number n && n.longValue() > 0) {
            return false;
        }
        for (String bound : List.of("min", "max")) {
            Object v = stats.get(bound);
            if (v != null) {
                try {
                    new BigDecimal(v.toString());
                } catch (NumberFormatException e) {
                    return false;
                }
            }
        }
        return true;
    }

    /** time and time(n) without a zone; timetz keeps its offset, which Arrow's time type cannot. */
    static boolean isPlainTime(String sourceType) {
        String s = sourceType.toLowerCase(Locale.ROOT);
        return s.equals("time") || s.startsWith("time(") || s.equals("time without time zone");
    }

    /**
     * The element of an array column, from PostgreSQL's array type name ({@code _int4}); an
     * element type without an Arrow counterpart here (numeric, intervals, Python lists of
     * anything) is utf8.
     */
    static Field element(String sourceType) {
        String s = sourceType.toLowerCase(Locale.ROOT);
        String element = s.startsWith("_") ? s.substring(1) : s.endsWith("[]") ? s.substring(0, s.length() - 2) : "";
        ArrowType type = switch (element) {
            case "int2", "int4", "int8", "smallint", "integer", "bigint" -> INT64;
            case "float4", "float8", "real", "double precision" -> FLOAT64;
            case "bool", "boolean" -> BOOL;
            case "date" -> DATE32;
            case "timestamp" -> TIMESTAMP;
            case "timestamptz" -> TIMESTAMPTZ;
            case "time" -> TIME64;
            case "bytea" -> BINARY;
            default -> UTF8;
        };
        boolean json = element.equals("json") || element.equals("jsonb");
        return new Field("item", new FieldType(true, type, null, json ? JSON_MARKER : null), null);
    }
}
