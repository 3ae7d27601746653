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
 * The second pass, ONE statement over the (sampled) source for every column at once: the
 * source is read once and unpivoted into (column, value) pairs, grouped, and one window sort
 * per column gives top values, distinct counts, quartiles (the values where the running count
 * crosses 25/50/75 %) and histogram counts (the running count where the bucket changes). Only
 * those rows come back: at most a few dozen per column.
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

    private record Crossing(long cum, int bucket) {
    }

    /**
     * @param scaleTo when the source is a sample of a table read in full: scale counts to the
     *                exact non-null counts of the first pass and label them estimated
     */
    static void run(Connection c, String source, List<ColumnStats> all, boolean scaleTo) throws SQLException {
        List<ColumnStats> columns = all.stream().filter(col -> !col.kind.opaque()).toList();
        if (columns.isEmpty()) {
            return;
        }
        StringBuilder v = new StringBuilder("CASE ks.k");
        StringBuilder num = new StringBuilder("CASE ks.k");
        StringBuilder b = new StringBuilder("CASE ks.k");
        StringBuilder keys = new StringBuilder();
        for (int k = 0; k < columns.size(); k++) {
            ColumnStats col = columns.get(k);
            v.append(" WHEN ").append(k).append(" THEN CAST(").append(col.sql)
                    .append(" AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_bin");
            if (col.kind.hasNumericKey() && col.low != null) {
                String key = AggregateScan.key(col.kind, col.sql);
                num.append(" WHEN ").append(k).append(" THEN ").append(key);
                if (col.high > col.low) {
                    b.append(" WHEN ").append(k).append(" THEN LEAST(").append(BUCKETS - 1).append(", FLOOR((")
                            .append(key).append(" - ").append(literal(col.low)).append(") * ").append(BUCKETS)
                            .append(" / ").append(literal(col.high - col.low)).append("))");
                }
            }
            keys.append(k == 0 ? "SELECT 0 AS k" : " UNION ALL SELECT " + k);
        }
        String sql = """
                SELECT k, v, n, rn, d, f1, total, cum, b, nb, num IS NOT NULL AS has_num FROM (
                  SELECT k, v, num, b, n,
                         ROW_NUMBER() OVER (PARTITION BY k ORDER BY n DESC, v) AS rn,
                         COUNT(*) OVER (PARTITION BY k) AS d,
                         SUM(CASE WHEN n = 1 THEN 1 ELSE 0 END) OVER (PARTITION BY k) AS f1,
                         SUM(n) OVER (PARTITION BY k) AS total,
                         SUM(n) OVER (PARTITION BY k ORDER BY num, v ROWS UNBOUNDED PRECEDING) AS cum,
                         LEAD(b) OVER (PARTITION BY k ORDER BY num, v ROWS UNBOUNDED PRECEDING) AS nb
                  FROM (
                    SELECT u.k, u.v, u.num, u.b, COUNT(*) AS n FROM (
                      SELECT ks.k, %s END AS v, %s ELSE NULL END AS num, %s ELSE NULL END AS b
                      FROM %s CROSS JOIN (%s) ks
                    ) u WHERE u.v IS NOT NULL GROUP BY u.k, u.v, u.num, u.b
                  ) g
                ) w
                WHERE rn <= %d
                   OR (num IS NOT NULL AND (cum - n < 0.25 * total AND cum >= 0.25 * total
                        OR cum - n < 0.5 * total AND cum >= 0.5 * total
                        OR cum - n < 0.75 * total AND cum >= 0.75 * total))
                   OR (b IS NOT NULL AND (nb IS NULL OR nb <> b))
                ORDER BY k, cum
                """.formatted(v, num, b, source, keys, TOP_VALUES);
        Map<Integer, List<Object[]>> top = new HashMap<>();
        Map<Integer, Object[]> quartiles = new HashMap<>();
        Map<Integer, List<Crossing>> crossings = new HashMap<>();
        Map<Integer, long[]> totals = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                int k = rs.getInt("k");
                ColumnStats col = columns.get(k);
                String value = rs.getString("v");
                long n = rs.getLong("n");
                long total = rs.getLong("total");
                long cum = rs.getLong("cum");
                totals.put(k, new long[] {rs.getLong("d"), rs.getLong("f1"), total});
                long rn = rs.getLong("rn");
                if (rn <= TOP_VALUES) {
                    top.computeIfAbsent(k, x -> new ArrayList<>()).add(new Object[] {rn, value, n});
                }
                if (rs.getBoolean("has_num")) {
                    Object[] q = quartiles.computeIfAbsent(k, x -> new Object[3]);
                    double[] marks = {0.25, 0.5, 0.75};
                    for (int i = 0; i < 3; i++) {
                        if (cum - n < marks[i] * total && cum >= marks[i] * total) {
                            q[i] = AggregateScan.value(col.kind, value);
                        }
                    }
                }
                int bucket = rs.getInt("b");
                if (!rs.wasNull()) {
                    rs.getInt("nb");
                    if (rs.wasNull() || rs.getInt("nb") != bucket) {
                        crossings.computeIfAbsent(k, x -> new ArrayList<>()).add(new Crossing(cum, bucket));
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
            List<Object[]> rows = top.getOrDefault(k, List.of());
            rows.sort((x, y) -> Long.compare((long) x[0], (long) y[0]));
            for (Object[] r : rows) {
                Object value = AggregateScan.value(col.kind, (String) r[1]);
                col.topValues.add(new TopValue(value, Math.round((long) r[2] * scale)));
                if (col.examples.size() < EXAMPLES) {
                    col.examples.add(value);
                }
            }
            col.topValuesEstimated = scaleTo;
            Object[] q = quartiles.get(k);
            if (q != null && q[0] != null && q[1] != null && q[2] != null) {
                col.quantiles = new Quantiles(q[0], q[1], q[2]);
                col.quantilesMethod = scaleTo ? "sample" : "exact";
            }
            if (col.kind.hasNumericKey() && col.low != null) {
                col.histogram = histogram(col, crossings.getOrDefault(k, List.of()), sampleNonNull, scale);
                col.histogramEstimated = scaleTo;
            }
        }
    }

    private static List<HistogramBucket> histogram(ColumnStats col, List<Crossing> crossings, long total, double scale) {
        if (!(col.high > col.low)) {
            return List.of(new HistogramBucket(edge(col.kind, col.low), edge(col.kind, col.high),
                    Math.round(total * scale)));
        }
        long[] counts = new long[BUCKETS];
        long previous = 0;
        Map<Integer, Long> ends = new TreeMap<>();
        crossings.forEach(x -> ends.put(x.bucket(), x.cum()));
        for (Map.Entry<Integer, Long> e : ends.entrySet()) {
            counts[e.getKey()] = e.getValue() - previous;
            previous = e.getValue();
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
