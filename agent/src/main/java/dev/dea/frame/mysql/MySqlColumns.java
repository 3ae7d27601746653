package dev.dea.frame.mysql;

import dev.dea.frame.ColumnDecoder;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameColumn;
import dev.dea.frame.FrameValues;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * MySQL's and MariaDB's result columns, as MariaDB Connector/J reports them (with
 * {@code tinyInt1isBit=false}, {@code yearIsDateType=false}, session time zone {@code +00:00}),
 * each into a lossless frame value. docs/frame-format.md ("MySQL and MariaDB") is the
 * user-facing version of every rule here:
 * <ul>
 * <li>integers, YEAR, TINYINT(1)/BOOLEAN (which may hold 2 or -1) and unsigned types up to INT
 *     UNSIGNED: int64; BIGINT UNSIGNED: decimal, as it reaches 2^64-1;</li>
 * <li>BIT(1): bool; BIT(2..63): int64; BIT(64): decimal (the bits as an unsigned number);</li>
 * <li>DECIMAL: decimal, exact; FLOAT/DOUBLE: float64;</li>
 * <li>DATE, DATETIME: date, timestamp; TIMESTAMP: timestamptz in UTC. Dates that are not
 *     calendar dates (zero dates {@code 0000-00-00}, zero months or days, {@code 02-30}) become
 *     null, read from the server's text so that they never fail the result;</li>
 * <li>TIME: the server's text ({@code -838:59:59} to {@code 838:59:59}), a duration, not a time of day;</li>
 * <li>JSON: embedded JSON; ENUM, SET (comma-separated members), texts: string;</li>
 * <li>BLOB/BINARY/VARBINARY: bytes; GEOMETRY: bytes of MySQL's internal format (4-byte SRID, then WKB).</li>
 * </ul>
 */
public final class MySqlColumns implements ColumnDecoder {
    @Override
    public Decoded decode(ResultSetMetaData meta, int i) throws SQLException {
        String type = meta.getColumnTypeName(i).toUpperCase(Locale.ROOT);
        int precision = meta.getPrecision(i);
        String label = meta.getColumnLabel(i);
        return switch (type) {
            case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "YEAR", "TINYINT UNSIGNED",
                 "SMALLINT UNSIGNED", "MEDIUMINT UNSIGNED", "INT UNSIGNED", "INTEGER UNSIGNED" ->
                    decoded(label, ColumnKind.INT64, sourceType(type, meta, i), MySqlColumns::readLong);
            case "BIGINT UNSIGNED" -> decoded(label, ColumnKind.DECIMAL, "bigint unsigned", MySqlColumns::readUnsigned);
            case "BIT" -> bit(label, precision);
            case "DECIMAL", "DECIMAL UNSIGNED" -> decoded(label, ColumnKind.DECIMAL,
                    "decimal(" + precision + "," + meta.getScale(i) + ")", MySqlColumns::readDecimal);
            case "FLOAT", "DOUBLE", "FLOAT UNSIGNED", "DOUBLE UNSIGNED" ->
                    decoded(label, ColumnKind.FLOAT64, type.toLowerCase(Locale.ROOT), MySqlColumns::readDouble);
            case "DATE" -> decoded(label, ColumnKind.DATE, "date", MySqlColumns::readDate);
            case "DATETIME" -> decoded(label, ColumnKind.TIMESTAMP, "datetime", MySqlColumns::readDateTime);
            case "TIMESTAMP" -> decoded(label, ColumnKind.TIMESTAMPTZ, "timestamp", MySqlColumns::readTimestamp);
            // Kept as text: TIME is a duration (up to ±838 h), which no time-of-day type holds.
            case "TIME" -> decoded(label, ColumnKind.STRING, "time", ResultSet::getString);
            case "JSON" -> decoded(label, ColumnKind.JSON, "json", MySqlColumns::readJson);
            case "GEOMETRY", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON",
                 "GEOMETRYCOLLECTION" -> decoded(label, ColumnKind.BYTES, type.toLowerCase(Locale.ROOT), ResultSet::getBytes);
            default -> byJdbcType(label, type, meta.getColumnType(i));
        };
    }

    private static Decoded byJdbcType(String label, String type, int jdbcType) {
        String source = type.toLowerCase(Locale.ROOT);
        return switch (jdbcType) {
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB ->
                    decoded(label, ColumnKind.BYTES, source, ResultSet::getBytes);
            // CHAR, VARCHAR, TEXT, ENUM and SET (both reported as CHAR), and anything new: the server's text.
            default -> decoded(label, ColumnKind.STRING, source, ResultSet::getString);
        };
    }

    private static Decoded bit(String label, int width) {
        if (width <= 1) {
            return decoded(label, ColumnKind.BOOL, "bit(1)", (rs, i) -> {
                boolean v = rs.getBoolean(i);
                return rs.wasNull() ? null : v;
            });
        }
        String source = "bit(" + width + ")";
        if (width < 64) {
            return decoded(label, ColumnKind.INT64, source, (rs, i) -> {
                byte[] bits = rs.getBytes(i);
                return bits == null ? null : new BigInteger(1, bits).longValueExact();
            });
        }
        return decoded(label, ColumnKind.DECIMAL, source, (rs, i) -> {
            byte[] bits = rs.getBytes(i);
            return bits == null ? null : new BigDecimal(new BigInteger(1, bits));
        });
    }

    private static String sourceType(String type, ResultSetMetaData meta, int i) throws SQLException {
        // TINYINT(1) is what BOOLEAN is; naming it lets a reader cast the 0/1 column to bool.
        return type.equals("TINYINT") && meta.getPrecision(i) == 1 ? "tinyint(1)" : type.toLowerCase(Locale.ROOT);
    }

    private static Decoded decoded(String label, ColumnKind kind, String sourceType, ValueReader reader) {
        return new Decoded(new FrameColumn(label, kind, sourceType), reader);
    }

    private static Object readLong(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }

    private static Object readDouble(ResultSet rs, int i) throws SQLException {
        double v = rs.getDouble(i);
        return rs.wasNull() ? null : v;
    }

    private static Object readUnsigned(ResultSet rs, int i) throws SQLException {
        String text = rs.getString(i);
        return text == null ? null : new BigDecimal(text);
    }

    private static Object readDecimal(ResultSet rs, int i) throws SQLException {
        return rs.getBigDecimal(i);
    }

    private static Object readJson(ResultSet rs, int i) throws SQLException {
        String json = rs.getString(i);
        return json == null ? null : new FrameValues.RawJson(json);
    }

    private static Object readDate(ResultSet rs, int i) throws SQLException {
        String text = rs.getString(i);
        return text == null ? null : date(text);
    }

    private static Object readDateTime(ResultSet rs, int i) throws SQLException {
        // Connector/J parses a DATETIME straight into a LocalDateTime (no time zone: DATETIME has
        // none), where getString formats the parsed value back into text: 16 ms per 100,000 values
        // against 2 ms. Zero dates come back null; a zero month or day is refused, then read as text.
        try {
            return rs.getObject(i, LocalDateTime.class);
        } catch (SQLException | DateTimeException e) {
            // A broken connection fails getString as well, with its own error.
            String text = rs.getString(i);
            return text == null ? null : dateTime(text);
        }
    }

    private static Object readTimestamp(ResultSet rs, int i) throws SQLException {
        String text = rs.getString(i);
        LocalDateTime t = text == null ? null : dateTime(text);
        // The session's time zone is +00:00 (MySqlSession): the text is the instant in UTC.
        return t == null ? null : t.atOffset(ZoneOffset.UTC);
    }

    /** "2024-02-29" as a date; null for what is no calendar date ("0000-00-00", "2024-00-15"). */
    static LocalDate date(String text) {
        if (text.length() < 10 || text.charAt(4) != '-' || text.charAt(7) != '-') {
            return null;
        }
        try {
            return LocalDate.of(digits(text, 0, 4), digits(text, 5, 7), digits(text, 8, 10));
        } catch (DateTimeException | NumberFormatException e) {
            return null;
        }
    }

    /** "2024-02-29 13:45:59.123456" as a local date-time; null when its date is no calendar date. */
    static LocalDateTime dateTime(String text) {
        LocalDate date = date(text);
        if (date == null) {
            return null;
        }
        if (text.length() < 19) {
            return date.atStartOfDay();
        }
        try {
            int nanos = 0;
            if (text.length() > 20 && text.charAt(19) == '.') {
                String fraction = text.substring(20);
                nanos = Integer.parseInt((fraction + "000000000").substring(0, 9));
            }
            return date.atTime(digits(text, 11, 13), digits(text, 14, 16), digits(text, 17, 19), nanos);
        } catch (DateTimeException | NumberFormatException e) {
            return null;
        }
    }

    private static int digits(String text, int from, int to) {
        return Integer.parseInt(text, from, to, 10);
    }
}
