package dev.dea.profile.mysql;

import dev.dea.schema.TableInfo;
import dev.dea.schema.mysql.MySqlNames;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * How a MySQL/MariaDB table is sampled: MySQL has no TABLESAMPLE (docs/profiles.md, "Sampling").
 * In order of preference: {@link #RANGES} for a single integer primary key, {@link #RUNS} for a
 * primary key of another orderable type or of several columns, by its first (both read only the
 * sampled rows), {@link #RAND} for any other table (reads it all), {@link #LIMIT} for views.
 */
final class Sampling {
    static final String RANGES = "PRIMARY_KEY_RANGES";
    static final String RUNS = "PRIMARY_KEY_RUNS";
    static final String RAND = "RAND";
    static final String LIMIT = "LIMIT";
    static final int SEED = 42;
    /** Times the runs' LIMIT is raised when skewed keys leave runs short. */
    static final int RESIZES = 2;
    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private Sampling() {
    }

    static Source limit(Source whole, long rows) {
        return new Source(whole.select() + " LIMIT " + rows, Optional.of(LIMIT), 1);
    }

    /**
     * About {@code rows} of a table of about {@code tableRows}, in {@code parts} key ranges or
     * runs where the primary key allows, else by RAND.
     */
    static Source sample(Connection c, TableInfo table, String relation, String columnList, long rows, long tableRows,
                         int parts) throws SQLException {
        double fraction = (double) rows / Math.max(1, tableRows);
        String all = "SELECT " + columnList + " FROM " + relation;
        if (fraction >= 1) {
            return new Source(all, Optional.empty(), 1);
        }
        Source byRand = new Source(all + " WHERE RAND(" + SEED + ") < " + BigDecimal.valueOf(fraction).toPlainString(),
                Optional.of(RAND), fraction);
        if (table.primaryKey().isEmpty()) {
            return byRand;
        }
        // A composite key is read in the order of its first column: its index serves
        // ORDER BY on that prefix, and ranges of it never overlap.
        String pk = table.primaryKey().get(0);
        boolean whole = table.primaryKey().size() == 1;
        Optional<String> type = table.column(pk).map(ci -> ci.type());
        if (type.isEmpty()) {
            return byRand;
        }
        MySqlKind kind = MySqlKind.of(type.get());
        String key = MySqlNames.always(pk);
        Object min;
        Object max;
        Optional<String> collation;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT MIN(" + key + "), MAX(" + key + "), COLLATION(MIN(" + key + ")) FROM "
                     + relation)) {
            rs.next();
            // Decimals, not getLong: a BIGINT UNSIGNED key may hold values past 2^63, which getLong refuses.
            min = keyValue(rs, 1, kind);
            max = keyValue(rs, 2, kind);
            collation = Optional.ofNullable(rs.getString(3));
        }
        // Key ranges of a computed width need one row per key value: a single integer key.
        if (whole && kind == MySqlKind.INTEGER && min != null && max != null
                && ((BigDecimal) min).compareTo(LONG_MIN) >= 0 && ((BigDecimal) max).compareTo(LONG_MAX) <= 0) {
            return ranges(all, key, ((BigDecimal) min).longValueExact(), ((BigDecimal) max).longValueExact(),
                    fraction, parts).orElse(byRand);
        }
        Optional<KeySpace> space = KeySpace.of(kind, type.get(), min, max, collation);
        List<String> cuts = space.map(ks -> ks.cuts(parts, new Random(SEED))).orElse(List.of());
        if (cuts.size() < Math.max(2, parts / 2)) {
            return byRand;
        }
        return runs(c, relation, all, key, cuts, rows, tableRows).orElse(byRand);
    }

    /** A key's value as {@link KeySpace#of} takes it; null for kinds it cannot cut. */
    private static Object keyValue(ResultSet rs, int column, MySqlKind kind) throws SQLException {
        return switch (kind) {
            case TEXT -> rs.getString(column);
            case BYTES -> rs.getBytes(column);
            default -> kind.isNumeric() ? rs.getBigDecimal(column) : null;
        };
    }

    /** {@code parts} key ranges of equal width, one at a random offset in each {@code parts}-th of the key space. */
    private static Optional<Source> ranges(String all, String key, long min, long max, double fraction, int parts) {
        double space = (double) max - min + 1;
        double stratum = space / parts;
        long width = Math.max(1, Math.round(space * fraction / parts));
        if (width >= stratum) {
            return Optional.empty();
        }
        Random random = new Random(SEED);
        List<String> ranges = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            long start = min + (long) (i * stratum + random.nextDouble() * (stratum - width));
            ranges.add(key + " BETWEEN " + start + " AND " + (start + width - 1));
        }
        return Optional.of(new Source(all + " WHERE " + String.join(" OR ", ranges), Optional.of(RANGES),
                parts * width / space));
    }

    /**
     * Runs of up to {@code rows / cuts} rows in key order, one from each cut up to the next:
     * a union of index range reads, each stopped by its LIMIT, so that only the sampled rows
     * are read whatever the keys look like. Ranges between cuts do not overlap, so no row is
     * read twice. Keys denser in some parts than the interpolation assumed leave other runs
     * short: the runs' rows are counted first (only they are read), and the LIMIT is raised
     * until the runs hold about {@code rows} (at most {@link #RESIZES} times). The key span says
     * nothing of the row count: that is InnoDB's estimate. When every run ends before its LIMIT,
     * the runs hold the whole table (InnoDB's estimate was far too high): it is read in full.
     */
    private static Optional<Source> runs(Connection c, String relation, String all, String key, List<String> cuts,
                                         long rows, long tableRows) throws SQLException {
        long perRun = Math.max(1, (rows + cuts.size() - 1) / cuts.size());
        for (int resize = 0; resize <= RESIZES; resize++) {
            long got = 0;
            boolean allShort = true;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT run, COUNT(*) FROM (" + union(i -> "SELECT " + i + " AS run FROM "
                         + relation, key, cuts, perRun) + ") AS r GROUP BY run")) {
                while (rs.next()) {
                    long n = rs.getLong(2);
                    got += n;
                    allShort &= n < perRun;
                }
            }
            if (got == 0) {
                return Optional.empty();
            }
            if (allShort) {
                return Optional.of(new Source(all, Optional.empty(), 1));
            }
            if (got >= rows * 9 / 10 || perRun >= rows || resize == RESIZES) {
                break;
            }
            perRun = Math.min(rows, (long) Math.ceil(perRun * (double) rows / got));
        }
        return Optional.of(new Source(union(i -> all, key, cuts, perRun), Optional.of(RUNS),
                (double) rows / Math.max(1, tableRows), Optional.empty(), OptionalLong.of(tableRows)));
    }

    /**
     * The runs as one UNION ALL. The first starts at the smallest key, not at its cut: the cuts
     * follow an interpolation, and keys below the first cut (all upper-case ones under a binary
     * collation whose cuts are lower case, say) would otherwise never be read.
     */
    private static String union(IntFunction<String> select, String key, List<String> cuts, long perRun) {
        List<String> branches = new ArrayList<>();
        for (int i = 0; i < cuts.size(); i++) {
            List<String> bounds = new ArrayList<>();
            if (i > 0) {
                bounds.add(key + " >= " + cuts.get(i));
            }
            if (i + 1 < cuts.size()) {
                bounds.add(key + " < " + cuts.get(i + 1));
            }
            branches.add("(" + select.apply(i) + (bounds.isEmpty() ? "" : " WHERE " + String.join(" AND ", bounds))
                    + " ORDER BY " + key + " LIMIT " + perRun + ")");
        }
        return String.join(" UNION ALL ", branches);
    }
}
