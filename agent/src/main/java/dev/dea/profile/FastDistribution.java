package dev.dea.profile;

import dev.dea.schema.TableInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What follows {@link AggregatePass.Mode#FAST} on a large table read in full: distinct counts,
 * top values, examples, histograms and quartiles at the cost of at most two more scans.
 *
 * <ul>
 *   <li>Histograms: one plain aggregate of {@code count(*) FILTER (WHERE col < bound)} per inner
 *   bucket bound (PostgreSQL runs it in parallel); exact.</li>
 *   <li>Distinct counts, top values and examples: one hashed {@code GROUPING SETS} scan, under a
 *   raised {@code work_mem}, over the columns PostgreSQL's statistics ({@code pg_stats}) say have at
 *   most {@value #GROUP_DISTINCT_LIMIT} distinct values and whose top values are shown (text,
 *   enums, arrays, and numbers or dates with at most
 *   {@value DistributionPass#MAX_DISTINCT_FOR_NUMERIC_TOP_VALUES} values); their distinct counts
 *   are exact. Columns without statistics are grouped too, whatever their size.</li>
 *   <li>Every other column's distinct count is the {@code pg_stats} estimate, marked as such;
 *   booleans are counted exactly by the first pass. Examples of columns left out of the grouping
 *   are distinct values among the first rows read.</li>
 *   <li>Quartiles of numbers are interpolated in {@code pg_stats} (most common values and
 *   histogram bounds), or else in the exact histogram, and say which.</li>
 * </ul>
 */
final class FastDistribution {
    private static final Logger log = LoggerFactory.getLogger(FastDistribution.class);
    /** Above this many (estimated) distinct values a column is not grouped: its hash table costs too much. */
    static final long GROUP_DISTINCT_LIMIT = 100_000;
    /** The grouping's memory: hashed, not sorted, for up to a few hundred thousand groups. */
    static final String GROUPING_WORK_MEM = "64MB";
    static final String QUANTILES_PG_STATS = "pg_stats";
    static final String QUANTILES_HISTOGRAM = "histogram";

    private FastDistribution() {
    }

    /** One column's row of {@code pg_stats}. */
    record ColumnStats(double nullFrac, double nDistinct, String mostCommonValues, Object[] mostCommonFreqs,
                       String histogramBounds) {
    }

    static void run(Connection c, String source, TableInfo table, List<ColumnAccumulator> columns, long rows,
                    int serverMajor) throws SQLException {
        Map<String, ColumnStats> stats = readStats(c, table);
        List<DistributionPass.GroupSet> sets = new ArrayList<>();
        List<ColumnAccumulator> examples = new ArrayList<>();
        for (ColumnAccumulator col : columns) {
            if (col.failed || col.nonNull == null) {
                continue;
            }
            if (col.nonNull == 0) {
                col.distinct = 0L;
                continue;
            }
            if (col.kind == StatKind.BOOL && col.trueCount != null) {
                bool(col);
                continue;
            }
            col.wantExamples = col.kind.hasExamples();
            if (col.kind == StatKind.BYTES || col.kind == StatKind.TSVECTOR) {
                col.note(col.kind == StatKind.BYTES ? "bytea: lengths are in bytes; values are not shown"
                        : "tsvector: lengths are lexeme counts; values are not shown, ordered or averaged");
            }
            ColumnStats s = stats.get(col.facts.name());
            Long estimate = estimate(s, rows, col.nonNull);
            boolean showable = col.kind != StatKind.BYTES && col.kind != StatKind.TSVECTOR;
            boolean continuous = col.kind.isNumeric() || col.kind.isTemporal();
            boolean topCandidate = showable && (col.kind.alwaysTopValues() || !continuous || estimate == null
                    || estimate <= DistributionPass.MAX_DISTINCT_FOR_NUMERIC_TOP_VALUES);
            boolean group = estimate == null
                    || topCandidate && estimate <= GROUP_DISTINCT_LIMIT && estimate < col.nonNull;
            if (group) {
                col.wantTopValues = topCandidate;
                sets.add(DistributionPass.GroupSet.values(col, true));
            } else {
                col.distinct = estimate;
                col.distinctEstimated = true;
                col.wantTopValues = false;
                if (topCandidate && estimate < col.nonNull) {
                    col.note("top values not computed: about " + estimate + " distinct values");
                }
                if (col.wantExamples) {
                    examples.add(col);
                }
            }
        }
        histograms(c, source, columns, serverMajor);
        if (!sets.isEmpty()) {
            try (Statement s = c.createStatement()) {
                // SET LOCAL: the read-only transaction is rolled back, and the setting with it.
                s.execute("SELECT pg_catalog.set_config('work_mem', '" + GROUPING_WORK_MEM + "', true) WHERE "
                        + "pg_catalog.pg_size_bytes(pg_catalog.current_setting('work_mem')) < pg_catalog.pg_size_bytes('"
                        + GROUPING_WORK_MEM + "')");
            }
            DistributionPass.runGrouped(c, source, sets);
            for (DistributionPass.GroupSet set : sets) {
                ColumnAccumulator col = set.col();
                boolean continuous = col.kind.isNumeric() || col.kind.isTemporal();
                if (continuous && col.distinct != null
                        && col.distinct > DistributionPass.MAX_DISTINCT_FOR_NUMERIC_TOP_VALUES) {
                    col.wantTopValues = false;
                }
            }
        }
        DistributionPass.runExamples(c, source, examples, true);
        for (ColumnAccumulator col : columns) {
            quantiles(col, stats.get(col.facts.name()));
        }
    }

    /** Distinct count and top values of a boolean from the first pass's counts. */
    private static void bool(ColumnAccumulator col) {
        long t = col.trueCount;
        long f = col.nonNull - t;
        col.distinct = (long) ((t > 0 ? 1 : 0) + (f > 0 ? 1 : 0));
        col.wantTopValues = true;
        // By count, then by text ("false" before "true"), as the grouping orders them.
        if (f >= t) {
            addTop(col, false, f);
            addTop(col, true, t);
        } else {
            addTop(col, true, t);
            addTop(col, false, f);
        }
    }

    private static void addTop(ColumnAccumulator col, boolean value, long count) {
        if (count > 0) {
            col.topValues.add(new TopValue(value, count));
        }
    }

    /** The planner's distinct estimate within [1, nonNull]; null when there is none. */
    static Long estimate(ColumnStats s, long rows, long nonNull) {
        if (s == null || s.nDistinct() == 0) {
            return null;
        }
        double n = s.nDistinct() > 0 ? s.nDistinct() : -s.nDistinct() * rows;
        return Math.max(1, Math.min(nonNull, Math.round(n)));
    }

    private static Map<String, ColumnStats> readStats(Connection c, TableInfo table) throws SQLException {
        Map<String, ColumnStats> stats = new HashMap<>();
        // Parents of partitions or children have inherited rows: those describe what the profile reads.
        try (PreparedStatement ps = c.prepareStatement("SELECT attname, null_frac, n_distinct, "
                + "most_common_vals::text, most_common_freqs, histogram_bounds::text FROM pg_catalog.pg_stats "
                + "WHERE schemaname = ? AND tablename = ? ORDER BY inherited DESC")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stats.putIfAbsent(rs.getString(1), new ColumnStats(rs.getDouble(2), rs.getDouble(3),
                            rs.getString(4), ProfileValues.array(rs.getArray(5)), rs.getString(6)));
                }
            }
        }
        return stats;
    }

    /** Every histogram in one plain aggregate of cumulative counts; a failing column is retried alone. */
    private static void histograms(Connection c, String source, List<ColumnAccumulator> columns, int serverMajor)
            throws SQLException {
        Map<ColumnAccumulator, Histograms.Cumulative> plans = new java.util.LinkedHashMap<>();
        for (ColumnAccumulator col : columns) {
            if (!col.kind.hasHistogram() || col.failed || col.finite == null || col.finite == 0) {
                continue;
            }
            Optional<Histograms.Cumulative> plan = Histograms.cumulative(col.kind, col.low, col.high, col.facts.expr());
            if (plan.isPresent()) {
                plans.put(col, plan.get());
            } else if (col.low != null) {
                col.histogram = Histograms.single(col.kind, col.low, col.finite);
            }
        }
        if (plans.isEmpty()) {
            return;
        }
        if (Savepoints.attempt(c, () -> cumulative(c, source, plans, serverMajor)).isPresent()) {
            for (var entry : plans.entrySet()) {
                Savepoints.attempt(c, () -> cumulative(c, source, Map.of(entry.getKey(), entry.getValue()), serverMajor))
                        .ifPresent(e -> entry.getKey().note("histogram could not be computed: " + Savepoints.reason(e)));
            }
        }
    }

    private static void cumulative(Connection c, String source, Map<ColumnAccumulator, Histograms.Cumulative> plans,
                                   int serverMajor) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT count(*)");
        for (var entry : plans.entrySet()) {
            ColumnAccumulator col = entry.getKey();
            // Only a column with NaN or infinities needs its finite test: those values are outside every bucket.
            String finite = col.finite < col.nonNull ? " AND " + col.facts.finiteCondition(serverMajor) : "";
            for (String below : entry.getValue().below()) {
                sql.append(",\n  count(*) FILTER (WHERE ").append(below).append(finite).append(')');
            }
        }
        sql.append("\nFROM ").append(source);
        log.debug("Histogram pass:\n{}", sql);
        Map<ColumnAccumulator, List<HistogramBucket>> result = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.toString())) {
            rs.next();
            int index = 2;
            for (var entry : plans.entrySet()) {
                long[] cumulative = new long[entry.getValue().below().size()];
                for (int i = 0; i < cumulative.length; i++) {
                    cumulative[i] = rs.getLong(index++);
                }
                Histograms.Cumulative plan = entry.getValue();
                result.put(entry.getKey(), Histograms.buckets(plan.plan(), plan.counts(cumulative, entry.getKey().finite)));
            }
        }
        result.forEach((col, buckets) -> col.histogram = buckets);
    }

    /** Estimated quartiles of a number column, from pg_stats when it has them, else from the exact histogram. */
    private static void quantiles(ColumnAccumulator col, ColumnStats stats) {
        if (!col.kind.isNumeric() || col.failed || col.low == null || col.high == null || col.quantiles != null) {
            return;
        }
        double low = ((Number) col.low).doubleValue();
        double high = ((Number) col.high).doubleValue();
        if (low == high) {
            Object v = value(col.kind, low);
            col.quantiles = new Quantiles(v, v, v);
            col.quantilesMethod = AggregatePass.QUANTILES_EXACT;
            return;
        }
        Distribution d = stats == null ? null : Distribution.fromStats(stats);
        String method = QUANTILES_PG_STATS;
        if (d == null && col.histogram != null) {
            d = Distribution.fromHistogram(col.histogram);
            method = QUANTILES_HISTOGRAM;
        }
        if (d == null) {
            return;
        }
        col.quantiles = new Quantiles(value(col.kind, d.quantile(0.25, low, high)),
                value(col.kind, d.quantile(0.5, low, high)), value(col.kind, d.quantile(0.75, low, high)));
        col.quantilesMethod = method;
    }

    /** An estimated quantile to six significant digits; numeric columns keep their decimal-string form. */
    private static Object value(StatKind kind, double d) {
        Object rounded = ProfileValues.approximate(d);
        if (kind == StatKind.DECIMAL && rounded instanceof Double x) {
            return BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
        }
        return rounded;
    }

    /**
     * A distribution as point masses (most common values) and uniform bins (histogram bounds or
     * buckets); quantiles are found by bisection of its cumulative mass.
     */
    record Distribution(double[] points, double[] pointMass, double[] binStart, double[] binEnd, double[] binMass) {
        static Distribution fromStats(ColumnStats s) {
            double[] mcv = numbers(s.mostCommonValues());
            double[] freqs = new double[mcv == null ? 0 : mcv.length];
            if (mcv != null && s.mostCommonFreqs() != null && s.mostCommonFreqs().length == mcv.length) {
                for (int i = 0; i < freqs.length; i++) {
                    freqs[i] = ((Number) s.mostCommonFreqs()[i]).doubleValue();
                }
            } else {
                mcv = new double[0];
            }
            double[] bounds = numbers(s.histogramBounds());
            if (mcv.length == 0 && (bounds == null || bounds.length < 2)) {
                return null;
            }
            double mcvTotal = 0;
            for (double f : freqs) {
                mcvTotal += f;
            }
            double histTotal = Math.max(0, 1 - s.nullFrac() - mcvTotal);
            int bins = bounds == null || bounds.length < 2 ? 0 : bounds.length - 1;
            double[] start = new double[bins];
            double[] end = new double[bins];
            double[] mass = new double[bins];
            for (int i = 0; i < bins; i++) {
                start[i] = bounds[i];
                end[i] = bounds[i + 1];
                mass[i] = histTotal / bins;
            }
            return new Distribution(mcv, freqs, start, end, mass);
        }

        static Distribution fromHistogram(List<HistogramBucket> buckets) {
            int n = buckets.size();
            double[] start = new double[n];
            double[] end = new double[n];
            double[] mass = new double[n];
            for (int i = 0; i < n; i++) {
                HistogramBucket b = buckets.get(i);
                if (!(b.bucketStart() instanceof Number s) || !(b.bucketEnd() instanceof Number e)) {
                    return null;
                }
                start[i] = s.doubleValue();
                end[i] = e.doubleValue();
                mass[i] = b.count();
            }
            return new Distribution(new double[0], new double[0], start, end, mass);
        }

        double below(double x) {
            double m = 0;
            for (int i = 0; i < points.length; i++) {
                if (points[i] <= x) {
                    m += pointMass[i];
                }
            }
            for (int i = 0; i < binStart.length; i++) {
                if (x >= binEnd[i]) {
                    m += binMass[i];
                } else if (x > binStart[i]) {
                    m += binMass[i] * (x - binStart[i]) / (binEnd[i] - binStart[i]);
                }
            }
            return m;
        }

        /** The smallest value in [low, high] with at least fraction {@code q} of the mass at or below it. */
        double quantile(double q, double low, double high) {
            double target = q * below(Double.POSITIVE_INFINITY);
            double a = low;
            double b = high;
            for (int i = 0; i < 100 && a < b; i++) {
                double mid = a + (b - a) / 2;
                if (mid <= a || mid >= b) {
                    break;
                }
                if (below(mid) >= target) {
                    b = mid;
                } else {
                    a = mid;
                }
            }
            return b;
        }

        /** The numbers of a PostgreSQL array literal of numbers, or null if it is not one. */
        static double[] numbers(String array) {
            if (array == null || array.length() < 2 || array.charAt(0) != '{') {
                return null;
            }
            String body = array.substring(1, array.length() - 1);
            if (body.isEmpty()) {
                return new double[0];
            }
            String[] parts = body.split(",");
            double[] out = new double[parts.length];
            try {
                for (int i = 0; i < parts.length; i++) {
                    out[i] = Double.parseDouble(parts[i].replace("\"", ""));
                }
            } catch (NumberFormatException e) {
                return null;
            }
            for (double v : out) {
                if (!Double.isFinite(v)) {
                    return null;
                }
            }
            return out;
        }
    }
}
