package dev.dea.frame;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns a result set into frame columns and rows of the Java values {@link FrameValues}
 * encodes, through a dialect's {@link ColumnDecoder}. The PostgreSQL decoder is here
 * ({@link #POSTGRESQL}), with the type mapping profiles share ({@link #kindOf}).
 */
public final class JdbcFrames {
    /** PostgreSQL's result columns (pgjdbc's type names). */
    public static final ColumnDecoder POSTGRESQL = (meta, i) -> {
        String typeName = meta.getColumnTypeName(i);
        ColumnKind kind = kindOf(typeName, meta.getColumnType(i));
        return new ColumnDecoder.Decoded(new FrameColumn(meta.getColumnLabel(i), kind, describeType(meta, i, typeName)),
                readerFor(kind, typeName));
    };

    private final List<FrameColumn> columns;
    private final ColumnDecoder.ValueReader[] readers;

    private JdbcFrames(List<FrameColumn> columns, ColumnDecoder.ValueReader[] readers) {
        this.columns = List.copyOf(columns);
        this.readers = readers;
    }

    private interface Reader extends ColumnDecoder.ValueReader {
    }

    /** PostgreSQL's result. */
    public static JdbcFrames of(ResultSetMetaData meta) throws SQLException {
        return of(meta, POSTGRESQL);
    }

    public static JdbcFrames of(ResultSetMetaData meta, ColumnDecoder decoder) throws SQLException {
        int n = meta.getColumnCount();
        List<FrameColumn> columns = new ArrayList<>(n);
        ColumnDecoder.ValueReader[] readers = new ColumnDecoder.ValueReader[n];
        for (int i = 1; i <= n; i++) {
            ColumnDecoder.Decoded decoded = decoder.decode(meta, i);
            columns.add(decoded.column());
            readers[i - 1] = decoded.reader();
        }
        return new JdbcFrames(columns, readers);
    }

    public List<FrameColumn> columns() {
        return columns;
    }

    public Object[] readRow(ResultSet rs) throws SQLException {
        Object[] row = new Object[readers.length];
        for (int i = 0; i < readers.length; i++) {
            row[i] = readers[i].read(rs, i + 1);
        }
        return row;
    }

    /** The one mapping from a PostgreSQL type name to a logical kind; profiles use it too. */
    public static ColumnKind kindOf(String pgTypeName, int jdbcType) {
        String t = pgTypeName == null ? "" : pgTypeName.toLowerCase(Locale.ROOT);
        if (t.startsWith("_") || jdbcType == java.sql.Types.ARRAY) {
            return ColumnKind.ARRAY;
        }
        ColumnKind byName = switch (t) {
            // pgjdbc names a column with a sequence default "serial"/"bigserial", not int4/int8.
            case "int2", "int4", "int8", "oid", "smallserial", "serial", "bigserial" -> ColumnKind.INT64;
            case "float4", "float8" -> ColumnKind.FLOAT64;
            case "numeric" -> ColumnKind.DECIMAL;
            case "bool" -> ColumnKind.BOOL;
            case "date" -> ColumnKind.DATE;
            case "timestamp" -> ColumnKind.TIMESTAMP;
            case "timestamptz" -> ColumnKind.TIMESTAMPTZ;
            case "time", "timetz" -> ColumnKind.TIME;
            case "json", "jsonb" -> ColumnKind.JSON;
            case "bytea" -> ColumnKind.BYTES;
            // pgjdbc calls money DOUBLE, but its text carries lc_monetary's symbol and group
            // separators ("$1,234.56"), which getDouble cannot read: keep the database's text.
            case "money" -> ColumnKind.STRING;
            default -> null;
        };
        if (byName != null) {
            return byName;
        }
        // Names the switch does not know still carry the driver's type code; BIT is left out
        // on purpose (PostgreSQL's bit strings share it with bool).
        return switch (jdbcType) {
            case java.sql.Types.SMALLINT, java.sql.Types.INTEGER, java.sql.Types.BIGINT -> ColumnKind.INT64;
            case java.sql.Types.REAL, java.sql.Types.DOUBLE, java.sql.Types.FLOAT -> ColumnKind.FLOAT64;
            case java.sql.Types.NUMERIC, java.sql.Types.DECIMAL -> ColumnKind.DECIMAL;
            case java.sql.Types.DATE -> ColumnKind.DATE;
            case java.sql.Types.TIMESTAMP -> ColumnKind.TIMESTAMP;
            case java.sql.Types.TIMESTAMP_WITH_TIMEZONE -> ColumnKind.TIMESTAMPTZ;
            default -> ColumnKind.STRING;
        };
    }

    private static String describeType(ResultSetMetaData meta, int i, String typeName) throws SQLException {
        if ("numeric".equals(typeName)) {
            int precision = meta.getPrecision(i);
            int scale = meta.getScale(i);
            // pgjdbc reports precision 1000 (or 0) for an unconstrained numeric.
            if (precision > 0 && precision < 1000) {
                return "numeric(" + precision + "," + scale + ")";
            }
        }
        return typeName;
    }

    /** {@code typeName}: PostgreSQL's name of the column's type; arrays need it for their elements. */
    private static Reader readerFor(ColumnKind kind, String typeName) {
        return switch (kind) {
            case INT64 -> (rs, i) -> {
                long v = rs.getLong(i);
                return rs.wasNull() ? null : v;
            };
            case FLOAT64 -> (rs, i) -> {
                double v = rs.getDouble(i);
                return rs.wasNull() ? null : v;
            };
            case BOOL -> (rs, i) -> {
                boolean v = rs.getBoolean(i);
                return rs.wasNull() ? null : v;
            };
            case DECIMAL -> JdbcFrames::readDecimal;
            case DATE -> (rs, i) -> rs.getObject(i, LocalDate.class);
            case TIMESTAMP -> (rs, i) -> rs.getObject(i, LocalDateTime.class);
            case TIMESTAMPTZ -> (rs, i) -> rs.getObject(i, OffsetDateTime.class);
            // PostgreSQL's time text is already ISO-8601 ("13:45:00", "13:45:00.5+02").
            case TIME -> ResultSet::getString;
            case JSON -> (rs, i) -> {
                String json = rs.getString(i);
                return json == null ? null : new FrameValues.RawJson(json);
            };
            case BYTES -> ResultSet::getBytes;
            case ARRAY -> PgArrays.forType(typeName)::read;
            case STRING -> ResultSet::getString;
        };
    }

    private static Object readDecimal(ResultSet rs, int i) throws SQLException {
        String text = rs.getString(i);
        return text == null ? null : decimal(text);
    }

    /** numeric's text as a BigDecimal, or as itself for NaN and the infinities (since PG 14), which BigDecimal cannot hold. */
    static Object decimal(String text) {
        char c = text.isEmpty() ? ' ' : text.charAt(text.length() - 1);
        if (c == 'N' || c == 'y') {
            return text;
        }
        return new java.math.BigDecimal(text);
    }
}
