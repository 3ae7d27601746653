package dev.dea.profile.postgresql;

import dev.dea.profile.TopValue;
import dev.dea.profile.HistogramBucket;
import dev.dea.schema.TableInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Value distributions of a large table read in full, taken from {@code pg_stats} (the sample
 * of the last ANALYZE) instead of a second scan, and applied to the exact counts of the first
 * pass: a histogram's buckets come from the exact min and max and their counts add up to the
 * exact number of finite values; top values carry the estimated share of the exact row count.
 * Only used when the statistics are fresh ({@link #fresh}); a column whose statistics say
 * nothing usable is counted exactly instead, so an estimate is never a guess from nothing.
 */
final class StatsEstimates {
    /** Statistics are stale once more than this share of the rows changed since the last ANALYZE. */
    static final double MAX_MODIFIED_SHARE = 0.1;

    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();
    private static final DateTimeFormatter TIMESTAMPTZ = new DateTimeFormatterBuilder()
            .append(TIMESTAMP)
            .appendOffset("+HH:mm:ss", "+00")
            .toFormatter();

    private StatsEstimates() {
    }

    /** Whether the table's statistics describe (nearly) the rows there are now. */
    static boolean fresh(Connection c, TableInfo table, long rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT n_mod_since_analyze, "
                + "coalesce(last_analyze, last_autoanalyze) IS NOT NULL FROM pg_catalog.pg_stat_all_tables "
                + "WHERE schemaname = ? AND relname = ?")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(2) && rs.getLong(1) <= MAX_MODIFIED_SHARE * Math.max(rows, 1);
            }
        }
    }

    /** Estimated counts for {@code plan}'s buckets, or empty when the statistics cannot give them. */
    static Optional<List<HistogramBucket>> histogram(ColumnAccumulator col, Histograms.Plan plan,
                                                     FastDistribution.ColumnStats stats) {
        if (stats == null || col.finite == null || col.finite == 0) {
            return Optional.empty();
        }
        double[] mcv = values(col.kind, stats.mostCommonValues());
        double[] bounds = values(col.kind, stats.histogramBounds());
        // Every value the statistics list must be understood: dropping some would shift the others' mass.
        if ((stats.mostCommonValues() != null && mcv == null) || (stats.histogramBounds() != null && bounds == null)) {
            return Optional.empty();
        }
        Distribution d = Distribution.fromStats(stats, mcv, bounds);
        double[] edges = innerEdges(col, plan);
        if (d == null || edges == null) {
            return Optional.empty();
        }
        double total = d.below(Double.POSITIVE_INFINITY, false);
        if (!(total > 0)) {
            return Optional.empty();
        }
        int buckets = plan.buckets();
        double[] share = new double[buckets];
        double previous = 0;
        for (int i = 0; i < buckets; i++) {
            double upTo = i == buckets - 1 ? total : d.below(edges[i], true);
            share[i] = Math.max(0, upTo - previous) / total;
            previous = Math.max(previous, upTo);
        }
        long[] counts = apportion(share, col.finite);
        java.util.Map<Integer, Long> byBucket = new java.util.HashMap<>();
        for (int i = 0; i < buckets; i++) {
            byBucket.put(i, counts[i]);
        }
        return Optional.of(Histograms.buckets(plan, byBucket));
    }

    /**
     * Top values from the most common values, with their estimated counts; false when the
     * column's kind or statistics do not allow it (no most common values: the column is counted).
     */
    static boolean topValues(ColumnAccumulator col, FastDistribution.ColumnStats stats, long rows) {
        boolean kindOk = col.kind == StatKind.TEXT || col.kind == StatKind.ENUM || col.kind == StatKind.DATE
                || col.kind.isNumeric();
        if (!kindOk || stats == null || stats.mostCommonFreqs() == null) {
            return false;
        }
        List<String> values = elements(stats.mostCommonValues());
        Object[] freqs = stats.mostCommonFreqs();
        if (values == null || values.isEmpty() || values.size() != freqs.length) {
            return false;
        }
        record Common(String value, double freq) {
        }
        List<Common> common = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) != null) {
                common.add(new Common(values.get(i), ((Number) freqs[i]).doubleValue()));
            }
        }
        common.sort(Comparator.comparingDouble(Common::freq).reversed().thenComparing(Common::value));
        for (Common v : common.subList(0, Math.min(DistributionPass.TOP_VALUES, common.size()))) {
            long count = Math.round(v.freq() * rows);
            if (count > 1 || col.kind.alwaysTopValues()) {
                col.topValues.add(new TopValue(ProfileValues.typed(col.kind, v.value()), count));
            }
        }
        col.topValuesEstimated = true;
        return true;
    }

    /** The plan's inner bucket edges in the column's bucketing unit (see {@link ColumnAccumulator#low}). */
    private static double[] innerEdges(ColumnAccumulator col, Histograms.Plan plan) {
        int buckets = plan.buckets();
        double[] edges = new double[buckets - 1];
        for (int i = 1; i < buckets; i++) {
            Object bound = plan.bounds().get(i);
            edges[i - 1] = switch (col.kind) {
                case INTEGER, DECIMAL -> ((Number) bound).doubleValue();
                case DATE -> LocalDate.parse((String) bound).toEpochDay();
                // The plan's own formula: its bounds are rendered, these are the numbers behind them.
                case FLOAT, TIMESTAMP, TIMESTAMPTZ -> {
                    double lo = (Double) col.low;
                    double hi = (Double) col.high;
                    yield lo + (hi - lo) * i / buckets;
                }
                default -> Double.NaN;
            };
            if (Double.isNaN(edges[i - 1])) {
                return null;
            }
        }
        return edges;
    }

    /** Whole counts in proportion to {@code share} that add up to {@code total} (largest remainders). */
    static long[] apportion(double[] share, long total) {
        long[] counts = new long[share.length];
        double[] remainder = new double[share.length];
        long given = 0;
        for (int i = 0; i < share.length; i++) {
            double exact = share[i] * total;
            counts[i] = (long) Math.floor(exact);
            remainder[i] = exact - counts[i];
            given += counts[i];
        }
        Integer[] order = new Integer[share.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(remainder[b], remainder[a]));
        for (int k = 0; given < total && k < order.length; k++, given++) {
            counts[order[k]]++;
        }
        return counts;
    }

    /**
     * The values of a one-dimensional PostgreSQL array literal in the kind's bucketing unit:
     * numbers as they are, dates as epoch days, timestamps as epoch seconds (the session is in
     * UTC); null if any element is not finite or not of that form (infinity, BC, a nested array).
     */
    static double[] values(StatKind kind, String literal) {
        List<String> elements = elements(literal);
        if (elements == null) {
            return null;
        }
        double[] out = new double[elements.size()];
        try {
            for (int i = 0; i < out.length; i++) {
                String e = elements.get(i);
                if (e == null) {
                    return null;
                }
                out[i] = switch (kind) {
                    case INTEGER, DECIMAL, FLOAT -> Double.parseDouble(e);
                    case DATE -> LocalDate.parse(e).toEpochDay();
                    case TIMESTAMP -> seconds(LocalDateTime.parse(e, TIMESTAMP).toInstant(ZoneOffset.UTC));
                    case TIMESTAMPTZ -> seconds(OffsetDateTime.parse(e, TIMESTAMPTZ).toInstant());
                    default -> Double.NaN;
                };
                if (!Double.isFinite(out[i])) {
                    return null;
                }
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            return null;
        }
        return out;
    }

    private static double seconds(java.time.Instant instant) {
        return instant.getEpochSecond() + instant.getNano() / 1e9;
    }

    /**
     * The elements of a one-dimensional array literal ({@code {a,"b c","d\"e",NULL}}), unquoted
     * and unescaped, NULL as null; null for anything else (nested arrays, bounds decoration).
     */
    static List<String> elements(String literal) {
        if (literal == null || literal.length() < 2 || literal.charAt(0) != '{'
                || literal.charAt(literal.length() - 1) != '}') {
            return null;
        }
        List<String> out = new ArrayList<>();
        int end = literal.length() - 1;
        int i = 1;
        if (i == end) {
            return out;
        }
        while (i <= end) {
            StringBuilder value = new StringBuilder();
            boolean quoted = false;
            if (literal.charAt(i) == '"') {
                quoted = true;
                i++;
                while (i < end && literal.charAt(i) != '"') {
                    if (literal.charAt(i) == '\\' && i + 1 < end) {
                        i++;
                    }
                    value.append(literal.charAt(i++));
                }
                if (i >= end) {
                    return null;
                }
                i++;
            } else {
                while (i < end && literal.charAt(i) != ',') {
                    char ch = literal.charAt(i++);
                    if (ch == '{' || ch == '"' || ch == '\\') {
                        return null;
                    }
                    value.append(ch);
                }
            }
            String v = value.toString();
            out.add(!quoted && v.equals("NULL") ? null : v);
            if (i == end) {
                break;
            }
            if (literal.charAt(i) != ',') {
                return null;
            }
            i++;
        }
        return out;
    }
}
