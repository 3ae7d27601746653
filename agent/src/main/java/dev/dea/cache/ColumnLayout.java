package dev.dea.cache;

import dev.dea.frame.ColumnKind;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/**
 * The buffers of a stored column (docs/frame-format.md, "Columns on disk"): which files a kind
 * has and what they are called ({@link dev.dea.frame.EpochTime} has the int64 encodings of dates
 * and timestamps). One place, so
 * the writer, the reader, the sandbox channel and the startup check agree.
 */
public final class ColumnLayout {
    public static final String VALID = "valid";
    public static final String VALUES = "values";
    public static final String OFFSETS = "offsets";
    public static final String DATA = "data";
    /** Decimals only: the float64 pandas gets by default, derived from the exact text. */
    public static final String FLOAT = "float";

    private ColumnLayout() {
    }

    /** Kinds stored as offsets + NUL-terminated bytes. */
    public static boolean variable(ColumnKind kind) {
        return switch (kind) {
            case STRING, TIME, DECIMAL, JSON, ARRAY, BYTES -> true;
            case INT64, FLOAT64, BOOL, DATE, TIMESTAMP, TIMESTAMPTZ -> false;
        };
    }

    /** Bytes per value in the {@code values} buffer of a fixed-width kind. */
    static int width(ColumnKind kind) {
        return kind == ColumnKind.BOOL ? 1 : 8;
    }

    /** The buffers a stored column has, in file and channel order. */
    public static List<String> diskBuffers(ColumnKind kind) {
        if (!variable(kind)) {
            return List.of(VALID, VALUES);
        }
        return kind == ColumnKind.DECIMAL ? List.of(VALID, OFFSETS, DATA, FLOAT) : List.of(VALID, OFFSETS, DATA);
    }

    /** What a sandbox sends of a result column: everything but what the agent derives itself. */
    public static List<String> wireBuffers(ColumnKind kind) {
        return variable(kind) ? List.of(VALID, OFFSETS, DATA) : List.of(VALID, VALUES);
    }

    /** The size a buffer must have for {@code rows} rows; -1 for {@code data}, whose size the offsets give. */
    static long expectedBytes(ColumnKind kind, String buffer, long rows) {
        return switch (buffer) {
            case VALID -> rows;
            case VALUES -> rows * width(kind);
            case OFFSETS -> (rows + 1) * 8;
            case FLOAT -> rows * 8;
            default -> -1;
        };
    }

    static String fileName(int column, String buffer) {
        return column + "." + buffer;
    }

    /** A decimal value's entry in the {@code float} buffer: NaN for NULL (and for PostgreSQL's NaN). */
    static double decimalFloat(Object value) {
        return switch (value) {
            case null -> Double.NaN;
            case BigDecimal d -> d.doubleValue();
            case BigInteger i -> i.doubleValue();
            case Number n -> n.doubleValue();
            case String s -> switch (s) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> new BigDecimal(s).doubleValue();
            };
            default -> Double.NaN;
        };
    }
}
