package dev.dea.profile.postgresql;

import dev.dea.profile.Quantiles;
import dev.dea.profile.TopValue;
import dev.dea.profile.HistogramBucket;
import dev.dea.schema.TableInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.math.BigInteger;
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
 * top values, examples, histograms and quartiles at the cost of one more scan, two when some
 * column needs a grouping of its own.
 *
 * <ul>
 *   <li>Histograms: one aggregate with, per column, a single {@code sum} of {@code 10^(digits * bucket)}
 *   whose decimal digits carry the bucket counts ({@link Histograms#packedSum}); exact. Parallel.</li>
 *   <li>Columns whose top values are shown (text, enums, arrays, and numbers or dates with at most
 *   {@value DistributionPass#MAX_DISTINCT_FOR_NUMERIC_TOP_VALUES} values) and that {@code pg_stats}
 *   says have at most {@value #JOINT_COLUMN_LIMIT} values are grouped jointly in that same aggregate
 *   ({@code GROUP BY} all of them, while the product of their estimates stays under
 *   {@value #JOINT_GROUPS_LIMIT}): exact distinct counts, top values and examples.</li>
 *   <li>Such columns with up to {@value #GROUP_DISTINCT_LIMIT} values, and columns without statistics,
 *   go through one hashed {@code GROUPING SETS} scan under a raised {@code work_mem} (SET LOCAL); exact.</li>
 *   <li>Every other column's distinct count is the {@code pg_stats} estimate, labelled
 *   {@code distinct_count_estimated}; booleans are counted exactly by the first pass. Their examples
 *   are distinct values among the first rows read; text with more values than the grouping takes
 *   shows no top values, and its note says so.</li>
 *   <li>Quartiles of numbers are interpolated in {@code pg_stats} (most common values and
 *   histogram bounds), or else in the exact histogram, and {@code quantiles_method} says which.</li>
 * </ul>
 */
final class FastDistribution {
    private static final Logger log = LoggerFactory.getLogger(FastDistribution.class);
    /** Above this many (estimated) distinct values a column is not grouped: its hash table costs too much. */
    static final long GROUP_DISTINCT_LIMIT = 10_000;
    /** The grouping's memory: hashed, not sorted, for up to a few hundred thousand groups. */
    static final String GROUPING_WORK_MEM = "64MB";
    static final String QUANTILES_PG_STATS = "pg_stats";
    static final String QUANTILES_HISTOGRAM = "histogram";
    /** Columns with at most this many (estimated) values are grouped jointly in the histogram pass ... */
    static final long JOINT_COLUMN_LIMIT = 1_000;
    /** ... as long as the product of their estimates, an upper bound on the groups, stays below this. */
    static final double JOINT_GROUPS_LIMIT = 20_000;

    private FastDistribution() {
    }

    /** One column's row of {@code pg_stats}. */
    record ColumnStats(double nullFrac, double nDistinct, String mostCommonValues, Object[] mostCommonFreqs,
                       String histogramBounds) {
    }

    /**
     * @param mayEstimate take histograms and top values from {@code pg_stats} where it can (see
     *                    {@link StatsEstimates}) instead of counting them
     * @return whether any column's histogram or top values are estimates
     */
    static boolean run(Connection c, String source, TableInfo table, List<ColumnAccumulator> columns, long rows,
                       int serverMajor, boolean mayEstimate) throws SQLException {
        Map<String, ColumnStats> stats = readStats(c, table);
        boolean fromStats = mayEstimate && !stats.isEmpty() && StatsEstimates.fresh(c, table, rows);
        boolean estimated = false;
        List<DistributionPass.GroupSet> sets = new ArrayList<>();
        List<ColumnAccumulator> joint = new ArrayList<>();
        List<ColumnAccumulator> examples = new ArrayList<>();
        double jointGroups = 1;
        // Fewest values first, so that the joint grouping takes as many columns as it can.
        List<ColumnAccumulator> byEstimate = new ArrayList<>(columns);
        Map<ColumnAccumulator, Long> estimates = new HashMap<>();
        for (ColumnAccumulator col : columns) {
            if (col.nonNull != null && col.nonNull > 0) {
                estimates.put(col, estimate(stats.get(col.facts.name()), rows, col.nonNull));
            }
        }
        byEstimate.sort(java.util.Comparator.comparing(col -> estimates.get(col) == null ? Long.MAX_VALUE
                : estimates.get(col)));
        for (ColumnAccumulator col : byEstimate) {
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
            Long estimate = estimates.get(col);
            boolean showable = col.kind != StatKind.BYTES && col.kind != StatKind.TSVECTOR;
            boolean continuous = col.kind.isNumeric() || col.kind.isTemporal();
            boolean topCandidate = showable && (col.kind.alwaysTopValues() || !continuous || estimate == null
                    || estimate <= DistributionPass.MAX_DISTINCT_FOR_NUMERIC_TOP_VALUES);
            boolean group = estimate == null
                    || topCandidate && estimate <= GROUP_DISTINCT_LIMIT && estimate < col.nonNull;
            if (group && estimate != null && fromStats && StatsEstimates.topValues(col, stats.get(col.facts.name()), rows)) {
                col.distinct = estimate;
                col.distinctEstimated = true;
                col.wantTopValues = topCandidate;
                estimated = true;
                if (col.wantExamples) {
                    examples.add(col);
                }
            } else if (group && estimate != null && estimate <= JOINT_COLUMN_LIMIT
                    && jointGroups * estimate <= JOINT_GROUPS_LIMIT) {
                jointGroups *= estimate;
                col.wantTopValues = topCandidate;
                joint.add(col);
            } else if (group) {
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
        if (fromStats) {
            estimated |= estimateHistograms(columns, stats);
        }
        histogramsAndJoint(c, source, columns, joint, rows, serverMajor);
        if (!sets.isEmpty()) {
            try (Statement s = c.createStatement()) {
                // SET LOCAL: the read-only transaction is rolled back, and the setting with it.
                s.execute("SELECT pg_catalog.set_config('work_mem', '" + GROUPING_WORK_MEM + "', true) WHERE "
                        + "pg_catalog.pg_size_bytes(pg_catalog.current_setting('work_mem')) < pg_catalog.pg_size_bytes('"
                        + GROUPING_WORK_MEM + "')");
            }
            DistributionPass.runGrouped(c, source, sets);
        }
        for (ColumnAccumulator col : columns) {
            boolean continuous = col.kind.isNumeric() || col.kind.isTemporal();
            if (continuous && !col.distinctEstimated && col.distinct != null
                    && col.distinct > DistributionPass.MAX_DISTINCT_FOR_NUMERIC_TOP_VALUES) {
                col.wantTopValues = false;
            }
        }
        DistributionPass.runExamples(c, source, examples, true);
        for (ColumnAccumulator col : columns) {
            quantiles(col, stats.get(col.facts.name()));
        }
        return estimated;
    }

    /** Histograms from pg_stats where it gives them; the others stay for the counting pass. */
    private static boolean estimateHistograms(List<ColumnAccumulator> columns, Map<String, ColumnStats> stats) {
        boolean any = false;
        for (ColumnAccumulator col : columns) {
            if (!col.hasFiniteValuesToBucket()) {
                continue;
            }
            // Only columns without NaN or infinities: ANALYZE's sample may have missed the few there are.
            if (!col.finite.equals(col.nonNull)) {
                continue;
            }
            Optional<Histograms.Plan> plan = Histograms.plan(col.kind, col.low, col.high, col.facts.expr(), "true");
            Optional<List<HistogramBucket>> buckets = plan.flatMap(p ->
                    StatsEstimates.histogram(col, p, stats.get(col.facts.name())));
            if (buckets.isPresent()) {
                col.histogram = buckets.get();
                col.histogramEstimated = true;
                any = true;
            }
        }
        return any;
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

    /**
     * Every histogram as one packed sum per column, in one aggregate that also groups by the
     * low-cardinality columns ({@code joint}) when there are any: their value counts are then the
     * sums over the groups, and the histograms the sums of the groups' sums. Without grouping the
     * aggregate runs in parallel; with it, PostgreSQL can still aggregate partially in parallel.
     */
    private static void histogramsAndJoint(Connection c, String source, List<ColumnAccumulator> columns,
                                           List<ColumnAccumulator> joint, long rows, int serverMajor)
            throws SQLException {
        Map<ColumnAccumulator, Histograms.Packed> plans = new java.util.LinkedHashMap<>();
        for (ColumnAccumulator col : columns) {
            if (!col.hasFiniteValuesToBucket() || col.histogram != null) {
                continue;
            }
            Optional<Histograms.Packed> plan = Histograms.packed(col.kind, col.low, col.high, col.facts.expr());
            if (plan.isPresent()) {
                plans.put(col, plan.get());
            } else if (col.low != null) {
                col.histogram = Histograms.single(col.kind, col.low, col.finite);
            }
        }
        if (plans.isEmpty() && joint.isEmpty()) {
            return;
        }
        int digits = Long.toString(Math.max(rows, 1)).length();
        if (Savepoints.attempt(c, () -> packed(c, source, plans, joint, digits, serverMajor)).isPresent()) {
            for (var entry : plans.entrySet()) {
                Savepoints.attempt(c, () -> packed(c, source, Map.of(entry.getKey(), entry.getValue()), List.of(),
                        digits, serverMajor)).ifPresent(e -> entry.getKey().note("histogram could not be computed: "
                        + Savepoints.reason(e)));
            }
            for (ColumnAccumulator col : joint) {
                Savepoints.attempt(c, () -> packed(c, source, Map.of(), List.of(col), digits, serverMajor))
                        .ifPresent(e -> col.note("top values could not be computed: " + Savepoints.reason(e)));
            }
        }
    }

    private static void packed(Connection c, String source, Map<ColumnAccumulator, Histograms.Packed> plans,
                               List<ColumnAccumulator> joint, int digits, int serverMajor) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT count(*)");
        List<String> keys = new ArrayList<>();
        for (ColumnAccumulator col : joint) {
            String key = col.facts.groupable() ? col.facts.expr() : "(" + col.facts.expr() + ")::text";
            keys.add(key);
            // The display text (cut) and, to tell apart values whose display is the same, a hash of the whole.
            sql.append(",\n  ").append(DistributionPass.display(key, col.kind)).append(", md5((").append(key)
                    .append(")::text)");
        }
        for (var entry : plans.entrySet()) {
            ColumnAccumulator col = entry.getKey();
            String value = Histograms.packedSum(entry.getValue().bucketSql(), entry.getValue().plan().buckets(), digits);
            // Only a column with NaN or infinities needs its finite test: those values are outside every bucket.
            if (col.finite < col.nonNull) {
                value = "CASE WHEN " + col.facts.finiteCondition(serverMajor) + " THEN " + value + " END";
            }
            sql.append(",\n  sum(").append(value).append(')');
        }
        sql.append("\nFROM ").append(source);
        if (!keys.isEmpty()) {
            sql.append("\nGROUP BY ").append(String.join(", ", keys));
        }
        log.debug("Histogram pass:\n{}", sql);
        List<Map<String, Object[]>> values = new ArrayList<>();
        joint.forEach(col -> values.add(new HashMap<>()));
        BigInteger[] sums = new BigInteger[plans.size()];
        java.util.Arrays.fill(sums, BigInteger.ZERO);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.toString())) {
            while (rs.next()) {
                long n = rs.getLong(1);
                int index = 2;
                for (int j = 0; j < joint.size(); j++, index += 2) {
                    String display = rs.getString(index);
                    if (display != null) {
                        Object[] seen = values.get(j).computeIfAbsent(rs.getString(index + 1),
                                k -> new Object[] {display, 0L});
                        seen[1] = (Long) seen[1] + n;
                    }
                }
                for (int h = 0; h < sums.length; h++, index++) {
                    BigDecimal sum = rs.getBigDecimal(index);
                    if (sum != null) {
                        sums[h] = sums[h].add(sum.toBigIntegerExact());
                    }
                }
            }
        }
        int h = 0;
        for (var entry : plans.entrySet()) {
            Histograms.Plan plan = entry.getValue().plan();
            entry.getKey().histogram = Histograms.buckets(plan, Histograms.unpack(sums[h++], plan.buckets(), digits));
        }
        for (int j = 0; j < joint.size(); j++) {
            ColumnAccumulator col = joint.get(j);
            List<Object[]> seen = new ArrayList<>(values.get(j).entrySet().stream()
                    .map(e -> new Object[] {e.getValue()[0], e.getValue()[1], e.getKey()}).toList());
            col.distinct = (long) seen.size();
            col.distinctEstimated = false;
            // As the grouping pass orders them: by count then value for top values, by hash for examples.
            seen.sort((a, b) -> {
                int byCount = Long.compare((Long) b[1], (Long) a[1]);
                return byCount != 0 ? byCount : ((String) a[0]).compareTo((String) b[0]);
            });
            if (col.wantTopValues) {
                for (Object[] v : seen.subList(0, Math.min(DistributionPass.TOP_VALUES, seen.size()))) {
                    if ((Long) v[1] > 1 || col.kind.alwaysTopValues()) {
                        col.topValues.add(new TopValue(ProfileValues.typed(col.kind, (String) v[0]), (Long) v[1]));
                    }
                }
            }
            if (col.wantExamples) {
                seen.sort((a, b) -> ((String) a[2]).compareTo((String) b[2]));
                for (Object[] v : seen.subList(0, Math.min(DistributionPass.EXAMPLES, seen.size()))) {
                    col.examples.add(ProfileValues.typed(col.kind, (String) v[0]));
                }
            }
        }
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
        Distribution d = stats == null ? null : Distribution.fromStats(stats,
                StatsEstimates.values(col.kind, stats.mostCommonValues()),
                StatsEstimates.values(col.kind, stats.histogramBounds()));
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
}
