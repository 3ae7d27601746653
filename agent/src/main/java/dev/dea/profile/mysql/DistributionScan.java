package dev.dea.profile.mysql;

import dev.dea.profile.HistogramBucket;
import dev.dea.profile.Quantiles;
import dev.dea.profile.TopValue;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The second pass, ONE statement over a sample of at most {@link MySqlTableProfiler#DISTRIBUTION_ROWS}
 * rows (a CTE named {@code s}) for every column at once: per column a GROUP BY for top values
 * and distinct counts, and one window sort that gives the quartiles (percentile_disc: the values
 * at ranks 25/50/75 %) and the histogram (the rank where the bucket number changes is the
 * running count at that bucket's end), all in one UNION ALL. Only those
 * rows come back: at most a couple of dozen per column. Nothing here sorts the whole table:
 * grouping and sorting a 1,000,000-row table per column is what made an earlier attempt take minutes.
 */
final class DistributionScan {
    static final int TOP_VALUES = 10;
    static final int EXAMPLES = 5;
    static final int BUCKETS = 10;
    /** TO_DAYS('1970-01-01') and TO_SECONDS('1970-01-01'): MySQL counts from year 0. */
    private static final long EPOCH_DAYS = 719_528;
    private static final long EPOCH_SECONDS = EPOCH_DAYS * 86_400;

    private DistributionScan() {
    }

    /** Branches of the statement a column adds (a grouping; a window sort when it has a numeric key). */
    static int cost(ColumnStats col) {
        return col.kind.opaque() ? 0 : col.kind.hasNumericKey() && col.low != null ? 2 : 1;
    }

    /**
     * @param select  the sample (or the whole source) as a SELECT of the profiled columns
     * @param scaleTo the sample holds fewer rows than the first pass counted: scale counts to the
     *                first pass's non-null counts and label distinct counts, top values, quartiles
     *                and histograms estimated
     */
    static void run(Connection c, String select, List<ColumnStats> all, boolean scaleTo) throws SQLException {
        List<ColumnStats> columns = all.stream().filter(col -> !col.kind.opaque()).toList();
        if (columns.isEmpty()) {
            return;
        }
        List<String> branches = new ArrayList<>();
        for (int k = 0; k < columns.size(); k++) {
            ColumnStats col = columns.get(k);
            String e = col.sql;
            branches.add("""
                    (SELECT %d AS k, 't' AS w, CAST(v AS CHAR) AS v, n, d, f1, cnt FROM (
                      SELECT v, n, COUNT(*) OVER () AS d, SUM(n = 1) OVER () AS f1, SUM(n) OVER () AS cnt FROM (
                        SELECT %s AS v, COUNT(*) AS n FROM s WHERE %s IS NOT NULL GROUP BY %s) g
                      ORDER BY n DESC, v LIMIT %d) t)""".formatted(k, e, e, e, TOP_VALUES));
            if (col.kind.hasNumericKey() && col.low != null) {
                // One sort gives both: the quartile ranks, and the rank where the bucket number changes
                // (the running count at each bucket's end).
                String bucket = col.high > col.low ? "GREATEST(0, LEAST(%d, FLOOR((%s - %s) * %d / %s)))".formatted(
                        BUCKETS - 1, AggregateScan.key(col.kind, e), literal(col.low), BUCKETS,
                        literal(col.high - col.low)) : "NULL";
                branches.add("""
                        (SELECT %d, 'q', CAST(v AS CHAR), rn, b, nb, cnt FROM (
                          SELECT v, b, ROW_NUMBER() OVER (ORDER BY v) AS rn, COUNT(*) OVER () AS cnt,
                                 LEAD(b) OVER (ORDER BY v) AS nb
                          FROM (SELECT %s AS v, %s AS b FROM s WHERE %s IS NOT NULL) x) t
                         WHERE rn = GREATEST(1, CEIL(0.25 * cnt)) OR rn = GREATEST(1, CEIL(0.5 * cnt))
                            OR rn = GREATEST(1, CEIL(0.75 * cnt)) OR (b IS NOT NULL AND (nb IS NULL OR nb <> b)))"""
                        .formatted(k, e, bucket, e));
            }
        }
        String sql = "WITH s AS (" + select + ")\n" + String.join("\nUNION ALL\n", branches);
        Map<Integer, List<Object[]>> top = new HashMap<>();
        Map<Integer, TreeMap<Long, String>> ranks = new HashMap<>();
        Map<Integer, TreeMap<Integer, Long>> ends = new HashMap<>();
        Map<Integer, long[]> totals = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                int k = rs.getInt(1);
                String what = rs.getString(2);
                String value = rs.getString(3);
                long n = rs.getLong(4);
                switch (what) {
                    case "t" -> {
                        top.computeIfAbsent(k, x -> new ArrayList<>()).add(new Object[] {value, n});
                        totals.put(k, new long[] {rs.getLong(5), rs.getLong(6), rs.getLong(7)});
                    }
                    default -> {
                        ranks.computeIfAbsent(k, x -> new TreeMap<>()).put(n, value);
                        int b = rs.getInt(5);
                        boolean hasBucket = !rs.wasNull();
                        int next = rs.getInt(6);
                        if (hasBucket && (rs.wasNull() || next != b)) {
                            ends.computeIfAbsent(k, x -> new TreeMap<>()).put(b, n);
                        }
                    }
                }
            }
        }
        for (int k = 0; k < columns.size(); k++) {
            ColumnStats col = columns.get(k);
            long[] t = totals.get(k);
            if (t == null) {
                continue; // only NULLs
            }
            long sampleNonNull = t[2];
            double scale = scaleTo && sampleNonNull > 0 ? (double) col.nonNull / sampleNonNull : 1;
            col.distinct = scaleTo ? estimateDistinct(t[0], t[1], sampleNonNull, col.nonNull) : t[0];
            col.distinctEstimated = scaleTo;
            for (Object[] r : top.getOrDefault(k, List.of())) {
                col.repeats |= (long) r[1] > 1;
                Object value = AggregateScan.value(col.kind, (String) r[0]);
                col.topValues.add(new TopValue(value, Math.round((long) r[1] * scale)));
                if (col.examples.size() < EXAMPLES) {
                    col.examples.add(value);
                }
            }
            col.topValuesEstimated = scaleTo;
            TreeMap<Long, String> q = ranks.get(k);
            if (q != null && !q.isEmpty()) {
                long cnt = sampleNonNull;
                col.quantiles = new Quantiles(rank(col, q, cnt, 0.25), rank(col, q, cnt, 0.5), rank(col, q, cnt, 0.75));
                col.quantilesMethod = scaleTo ? "sample" : "exact";
            }
            if (col.kind.hasNumericKey() && col.low != null) {
                long[] counts = new long[BUCKETS];
                long previous = 0;
                for (Map.Entry<Integer, Long> end : ends.getOrDefault(k, new TreeMap<>()).entrySet()) {
                    counts[end.getKey()] = end.getValue() - previous;
                    previous = end.getValue();
                }
                col.histogram = histogram(col, counts, sampleNonNull, scale);
                col.histogramEstimated = scaleTo;
            }
        }
    }

    private static Object rank(ColumnStats col, TreeMap<Long, String> ranks, long cnt, double q) {
        long wanted = Math.max(1, (long) Math.ceil(q * cnt));
        String v = ranks.get(wanted);
        return AggregateScan.value(col.kind, v == null ? ranks.firstEntry().getValue() : v);
    }

    private static List<HistogramBucket> histogram(ColumnStats col, long[] counts, long total, double scale) {
        if (!(col.high > col.low)) {
            return List.of(new HistogramBucket(edge(col.kind, col.low), edge(col.kind, col.high),
                    Math.round(total * scale)));
        }
        long[] scaled = apportion(counts, scale);
        double width = (col.high - col.low) / BUCKETS;
        List<HistogramBucket> out = new ArrayList<>();
        for (int i = 0; i < BUCKETS; i++) {
            double start = col.low + i * width;
            double end = i == BUCKETS - 1 ? col.high : col.low + (i + 1) * width;
            out.add(new HistogramBucket(edge(col.kind, start), edge(col.kind, end), scaled[i]));
        }
        return out;
    }

    /** Scaled counts rounded so that they add up to the scaled total (largest remainders get the rest). */
    static long[] apportion(long[] counts, double scale) {
        long sum = 0;
        for (long n : counts) {
            sum += n;
        }
        long target = Math.round(sum * scale);
        long[] out = new long[counts.length];
        double[] rest = new double[counts.length];
        long given = 0;
        for (int i = 0; i < counts.length; i++) {
            double exact = counts[i] * scale;
            out[i] = (long) Math.floor(exact);
            rest[i] = exact - out[i];
            given += out[i];
        }
        while (given < target) {
            int best = 0;
            for (int i = 1; i < rest.length; i++) {
                if (rest[i] > rest[best]) {
                    best = i;
                }
            }
            out[best]++;
            rest[best] = -1;
            given++;
        }
        return out;
    }

    /**
     * Haas and Stokes' Duj1 estimator (what PostgreSQL's ANALYZE uses): {@code d} distinct values,
     * {@code f1} of them seen once, in {@code n} sampled of {@code total} non-null values.
     */
    static long estimateDistinct(long d, long f1, long n, long total) {
        if (n <= 0 || n >= total) {
            return d;
        }
        if (f1 == n) {
            return total; // every sampled value unique: the column looks unique
        }
        double estimate = n * d / (n - f1 + f1 * (double) n / total);
        return Math.max(d, Math.min(total, Math.round(estimate)));
    }

    private static Object edge(MySqlKind kind, double key) {
        return switch (kind) {
            case DATE -> LocalDate.ofEpochDay(Math.round(key) - EPOCH_DAYS).toString();
            case DATETIME -> LocalDateTime.ofEpochSecond(Math.round(key) - EPOCH_SECONDS, 0, ZoneOffset.UTC)
                    .format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
            case INTEGER -> key == Math.rint(key) && Math.abs(key) < 1e15 ? (Object) (long) key : (Object) key;
            default -> key;
        };
    }

    private static String literal(double d) {
        return BigDecimal.valueOf(d).toPlainString();
    }
}
