package dev.dea.profile.mysql;

import java.math.BigDecimal;
import java.math.MathContext;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The first pass: one plain aggregate over the source for the row count and, per column, null
 * count, min, max, mean, standard deviation and lengths. No ORDER BY, GROUP BY or DISTINCT: it
 * costs about one scan of the table, whatever the number of columns.
 */
final class AggregateScan {
    static final int MAX_DISPLAY_CHARS = 200;
    private static final MathContext DIGITS = new MathContext(6);
    /** TO_DAYS('1970-01-01'): MySQL counts days (and TO_SECONDS seconds) from year 0. */
    static final long EPOCH_DAYS = 719_528;

    private AggregateScan() {
    }

    private interface Reader {
        void read(ResultSet rs, int index) throws SQLException;
    }

    /**
     * What a column adds to a row's cost, in aggregates (a string comparison or a CHAR_LENGTH
     * counts about twice): how {@link SplitPass} balances the halves.
     */
    static int cost(ColumnStats col) {
        int n = col.nullable ? 1 : 0;
        if (col.kind.orderable()) {
            n += col.kind.isNumeric() || col.kind.isTemporal() ? 2 : 4;
        }
        if (col.kind.isNumeric()) {
            n += 2;
        }
        if (col.kind.hasLengths()) {
            n += 4;
        }
        return n;
    }

    /** Returns the source's row count and fills every column's first-pass statistics. */
    static long run(Connection c, String source, List<ColumnStats> columns) throws SQLException {
        List<String> exprs = new ArrayList<>();
        List<Reader> readers = new ArrayList<>();
        for (ColumnStats col : columns) {
            String e = col.sql;
            // A NOT NULL column's count is the row count: one aggregate less per row.
            if (col.nullable) {
                exprs.add("COUNT(" + e + ")");
                readers.add((rs, i) -> col.nonNull = rs.getLong(i));
            }
            if (col.kind.orderable()) {
                exprs.add("MIN(" + e + ")");
                readers.add((rs, i) -> col.min = value(col.kind, rs.getString(i)));
                exprs.add("MAX(" + e + ")");
                readers.add((rs, i) -> col.max = value(col.kind, rs.getString(i)));
            }
            if (col.kind.isNumeric()) {
                // SUM, divided here: MariaDB's AVG costs about twice a SUM per row.
                exprs.add("SUM(" + e + ")");
                readers.add((rs, i) -> col.sum = rs.getString(i));
                exprs.add("STDDEV_SAMP(" + e + ")");
                readers.add((rs, i) -> col.stddev = approximate(rs.getString(i)));
            }
            if (col.kind.hasLengths()) {
                String length = (col.kind == MySqlKind.TEXT ? "CHAR_LENGTH(" : "LENGTH(") + e + ")";
                exprs.add("MIN(" + length + ")");
                readers.add((rs, i) -> col.minLength = longOrNull(rs, i));
                exprs.add("SUM(" + length + ")");
                readers.add((rs, i) -> col.lengthSum = rs.getString(i));
                exprs.add("MAX(" + length + ")");
                readers.add((rs, i) -> col.maxLength = longOrNull(rs, i));
            }
        }
        String sql = "SELECT COUNT(*)" + (exprs.isEmpty() ? "" : ", " + String.join(", ", exprs)) + " FROM " + source;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            long rows = rs.getLong(1);
            for (int i = 0; i < readers.size(); i++) {
                readers.get(i).read(rs, i + 2);
            }
            for (ColumnStats col : columns) {
                if (!col.nullable) {
                    col.nonNull = rows;
                }
                col.nullCount = rows - col.nonNull;
                if (col.lengthSum != null && col.nonNull > 0) {
                    col.avgLength = new BigDecimal(col.lengthSum).divide(BigDecimal.valueOf(col.nonNull), 2,
                            java.math.RoundingMode.HALF_UP).doubleValue();
                }
                if (col.sum != null && col.nonNull > 0) {
                    col.mean = approximate(new BigDecimal(col.sum).divide(BigDecimal.valueOf(col.nonNull),
                            MathContext.DECIMAL64).toString());
                }
                if (col.kind.hasNumericKey()) {
                    col.low = keyOf(col.kind, col.min);
                    col.high = keyOf(col.kind, col.max);
                }
            }
            return rows;
        }
    }

    /** The numeric key of a min or max as {@link #value} rendered it; null for none. */
    static Double keyOf(MySqlKind kind, Object value) {
        if (value == null) {
            return null;
        }
        String text = value.toString();
        try {
            return switch (kind) {
                case DATE -> (double) (java.time.LocalDate.parse(text).toEpochDay() + EPOCH_DAYS);
                case DATETIME -> (double) (java.time.LocalDateTime.parse(text).toEpochSecond(java.time.ZoneOffset.UTC)
                        + EPOCH_DAYS * 86_400);
                default -> Double.parseDouble(text);
            };
        } catch (java.time.format.DateTimeParseException | NumberFormatException e) {
            return null; // a zero date (0000-00-00) or the like: no histogram
        }
    }

    /**
     * The numeric key quartiles and histograms are computed on: the number itself, days for
     * dates (TO_DAYS) and seconds for datetimes (TO_SECONDS), both counted from year 0.
     */
    static String key(MySqlKind kind, String expr) {
        return switch (kind) {
            case DATE -> "TO_DAYS(" + expr + ")";
            case DATETIME -> "TO_SECONDS(" + expr + ")";
            case FLOAT -> "(" + expr + ")";
            default -> "(" + expr + " + 0)";
        };
    }

    /** A column value's text as the JSON value it stands for. */
    static Object value(MySqlKind kind, String text) {
        if (text == null) {
            return null;
        }
        try {
            return switch (kind) {
                case INTEGER -> {
                    BigDecimal d = new BigDecimal(text);
                    yield d.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0 ? d.longValueExact() : text;
                }
                case FLOAT -> Double.parseDouble(text);
                case DATETIME -> text.replace(' ', 'T');
                default -> text.length() > MAX_DISPLAY_CHARS ? text.substring(0, MAX_DISPLAY_CHARS) + "…" : text;
            };
        } catch (NumberFormatException | ArithmeticException e) {
            return text;
        }
    }

    static Double number(String text) {
        return text == null ? null : Double.parseDouble(text);
    }

    /** Means and spreads to six significant digits, where more is noise. */
    static Object approximate(String text) {
        if (text == null) {
            return null;
        }
        double d = Double.parseDouble(text);
        return d == 0 || Double.isNaN(d) || Double.isInfinite(d) ? d : new BigDecimal(d).round(DIGITS).doubleValue();
    }

    private static Long longOrNull(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }
}
