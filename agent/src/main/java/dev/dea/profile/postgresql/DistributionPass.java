package dev.dea.profile.postgresql;

import dev.dea.profile.TopValue;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The second pass: top values, example values and histogram buckets, for many columns in one
 * scan through {@code GROUPING SETS} (one set per column). Columns whose values are all distinct
 * skip the grouping, since every count would be 1; their examples come from a cheap
 * {@code LIMIT 5} read instead.
 */
final class DistributionPass {
    static final int TOP_VALUES = 10;
    static final int EXAMPLES = 5;
    /** Rows read to find {@link #EXAMPLES} distinct values in a column not known to be unique. */
    static final int EXAMPLE_WINDOW = 1_000;
    /** Beyond this many distinct values a number or date is continuous: its histogram says more. */
    static final long MAX_DISTINCT_FOR_NUMERIC_TOP_VALUES = 100;
    /** Sets per query: bounds the memory of one aggregation on very wide tables. */
    private static final int SETS_PER_QUERY = 100;

    private DistributionPass() {
    }

    /** One grouping set; {@code countDistinct} makes its number of groups the column's (exact) distinct count. */
    record GroupSet(ColumnAccumulator col, String keyExpr, Histograms.Plan histogram, boolean countDistinct) {
        GroupSet(ColumnAccumulator col, String keyExpr, Histograms.Plan histogram) {
            this(col, keyExpr, histogram, false);
        }

        static GroupSet values(ColumnAccumulator col, boolean countDistinct) {
            String e = col.facts.expr();
            return new GroupSet(col, col.facts.groupable() ? e : "(" + e + ")::text", null, countDistinct);
        }
    }

    static void run(Connection c, String source, List<ColumnAccumulator> columns, int serverMajor)
            throws SQLException {
        List<GroupSet> sets = new ArrayList<>();
        List<ColumnAccumulator> uniqueWithExamples = new ArrayList<>();
        for (ColumnAccumulator col : columns) {
            decide(col);
            if (col.wantExamples && col.isUnique() && !col.wantTopValues) {
                uniqueWithExamples.add(col);
            } else if (col.wantTopValues || col.wantExamples) {
                sets.add(GroupSet.values(col, false));
            }
            if (col.kind.hasHistogram() && col.finite != null && col.finite > 0) {
                var plan = Histograms.plan(col.kind, col.low, col.high, col.facts.expr(),
                        col.facts.finiteCondition(serverMajor));
                if (plan.isPresent()) {
                    sets.add(new GroupSet(col, plan.get().sqlBucket(), plan.get()));
                } else if (col.low != null) {
                    col.histogram = Histograms.single(col.kind, col.low, col.finite);
                }
            }
        }
        runGrouped(c, source, sets);
        runExamples(c, source, uniqueWithExamples, false);
    }

    /** The grouping sets, {@value #SETS_PER_QUERY} to a query; a failed query is retried set by set. */
    static void runGrouped(Connection c, String source, List<GroupSet> sets) throws SQLException {
        for (int from = 0; from < sets.size(); from += SETS_PER_QUERY) {
            List<GroupSet> part = sets.subList(from, Math.min(sets.size(), from + SETS_PER_QUERY));
            if (Savepoints.attempt(c, () -> grouped(c, source, part)).isPresent()) {
                for (GroupSet set : part) {
                    Savepoints.attempt(c, () -> grouped(c, source, List.of(set))).ifPresent(e -> set.col().note(
                            (set.histogram() != null ? "histogram" : "top values") + " could not be computed: "
                                    + Savepoints.reason(e)));
                }
            }
        }
    }

    /**
     * Examples read with {@code LIMIT} instead of a grouping; {@code mayRepeat} is for columns not
     * known to be unique: the examples are then the distinct values among the first rows read.
     */
    static void runExamples(Connection c, String source, List<ColumnAccumulator> columns, boolean mayRepeat)
            throws SQLException {
        for (int from = 0; from < columns.size(); from += SETS_PER_QUERY) {
            List<ColumnAccumulator> part = columns.subList(from, Math.min(columns.size(), from + SETS_PER_QUERY));
            if (Savepoints.attempt(c, () -> examples(c, source, part, mayRepeat)).isPresent()) {
                for (ColumnAccumulator col : part) {
                    Savepoints.attempt(c, () -> examples(c, source, List.of(col), mayRepeat)).ifPresent(e -> col.note(
                            "examples could not be read: " + Savepoints.reason(e)));
                }
            }
        }
    }

    private static void decide(ColumnAccumulator col) {
        if (col.failed) {
            return;
        }
        StatKind kind = col.kind;
        boolean hasValues = col.nonNull != null && col.nonNull > 0;
        // Binary and search documents say nothing useful value by value.
        boolean showable = kind != StatKind.BYTES && kind != StatKind.TSVECTOR;
        boolean repeats = col.distinct != null && col.distinct < col.nonNull;
        boolean fewEnough = !(kind.isNumeric() || kind.isTemporal()) || col.distinct <= MAX_DISTINCT_FOR_NUMERIC_TOP_VALUES;
        col.wantTopValues = hasValues && showable && (kind.alwaysTopValues() || (repeats && fewEnough));
        col.wantExamples = hasValues && kind.hasExamples();
        if (kind == StatKind.BYTES || kind == StatKind.TSVECTOR) {
            col.note(kind == StatKind.BYTES ? "bytea: lengths are in bytes; values are not shown"
                    : "tsvector: lengths are lexeme counts; values are not shown, ordered or averaged");
        }
    }

    private static void grouped(Connection c, String source, List<GroupSet> sets) throws SQLException {
        StringBuilder keys = new StringBuilder();
        StringBuilder setList = new StringBuilder();
        StringBuilder which = new StringBuilder("CASE");
        StringBuilder value = new StringBuilder("CASE");
        for (int i = 0; i < sets.size(); i++) {
            GroupSet set = sets.get(i);
            keys.append(i == 0 ? "" : ", ").append(set.keyExpr()).append(" AS k").append(i);
            setList.append(i == 0 ? "" : ", ").append("(k").append(i).append(')');
            which.append(" WHEN GROUPING(k").append(i).append(") = 0 THEN ").append(i);
            value.append(" WHEN GROUPING(k").append(i).append(") = 0 THEN ")
                    .append(set.histogram() != null ? "(k" + i + ")::text" : display("k" + i, set.col().kind));
        }
        // Ranked twice: by frequency for top values, by a hash of the value for unbiased examples.
        String sql = "SELECT g, v, n, top_rank, example_rank, groups FROM (\n"
                + "  SELECT g, v, n, row_number() OVER (PARTITION BY g ORDER BY n DESC, v) AS top_rank,\n"
                + "         row_number() OVER (PARTITION BY g ORDER BY md5(v), v) AS example_rank,\n"
                + "         count(*) OVER (PARTITION BY g) AS groups\n"
                + "  FROM (SELECT " + which + " END AS g, " + value + " END AS v, count(*) AS n\n"
                + "        FROM (SELECT " + keys + " FROM " + source + ") AS keyed\n"
                + "        GROUP BY GROUPING SETS (" + setList + ")) AS grouped\n"
                + "  WHERE v IS NOT NULL) AS ranked\n"
                + "WHERE top_rank <= " + TOP_VALUES + " OR example_rank <= " + EXAMPLES + "\n"
                + "ORDER BY g, top_rank";
        // Read everything before touching the accumulators, so a failed query leaves them as they were.
        List<Object[]> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(new Object[] {rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getInt(4), rs.getInt(5),
                        rs.getLong(6)});
            }
        }
        Map<Integer, Map<Integer, Long>> bucketCounts = new HashMap<>();
        Map<Integer, List<Object[]>> examples = new HashMap<>();
        for (Object[] row : rows) {
            int g = (Integer) row[0];
            GroupSet set = sets.get(g);
            String v = (String) row[1];
            long n = (Long) row[2];
            if (set.histogram() != null) {
                bucketCounts.computeIfAbsent(g, k -> new HashMap<>()).put(Integer.parseInt(v), n);
                continue;
            }
            ColumnAccumulator col = set.col();
            if (set.countDistinct()) {
                col.distinct = (Long) row[5];
                col.distinctEstimated = false;
            }
            // A value seen once is not a "top" value; bool and enum list every value regardless.
            if (col.wantTopValues && (Integer) row[3] <= TOP_VALUES && (n > 1 || col.kind.alwaysTopValues())) {
                col.topValues.add(new TopValue(ProfileValues.typed(col.kind, v), n));
            }
            int exampleRank = (Integer) row[4];
            if (col.wantExamples && exampleRank <= EXAMPLES) {
                examples.computeIfAbsent(g, k -> new ArrayList<>()).add(new Object[] {exampleRank, v});
            }
        }
        for (int g = 0; g < sets.size(); g++) {
            GroupSet set = sets.get(g);
            if (set.histogram() != null) {
                set.col().histogram = Histograms.buckets(set.histogram(), bucketCounts.getOrDefault(g, Map.of()));
            }
            List<Object[]> ex = examples.getOrDefault(g, List.of());
            ex.stream().sorted((a, b) -> Integer.compare((Integer) a[0], (Integer) b[0]))
                    .forEach(pair -> set.col().examples.add(ProfileValues.typed(set.col().kind, (String) pair[1])));
        }
    }

    /**
     * SQL for a value's display text, cut one character past the limit so that Java can mark the
     * cut. Dates and timestamps go through to_json, which writes ISO 8601 whatever the DateStyle.
     * Other types go through their output function ({@code concat}), as result frames print them:
     * {@code inet}'s cast to text would add the {@code /32} its output leaves out. concat() writes NULL as
     * '', so NULL stays NULL first (num_nulls: a composite with NULL fields is still a value).
     */
    static String display(String expr, StatKind kind) {
        String text = kind.isTemporal() ? "(to_json(" + expr + ") #>> '{}')"
                : kind == StatKind.OTHER ? "(CASE WHEN pg_catalog.num_nulls(" + expr + ") = 0 THEN pg_catalog.concat(" + expr
                + ") END)" : "(" + expr + ")::text";
        return "left(" + text + ", " + (ProfileValues.MAX_DISPLAY_CHARS + 1) + ")";
    }

    private static void examples(Connection c, String source, List<ColumnAccumulator> columns, boolean mayRepeat)
            throws SQLException {
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            String e = columns.get(i).facts.expr();
            String read = "SELECT " + display(e, columns.get(i).kind) + " AS v FROM " + source + " WHERE " + e
                    + " IS NOT NULL LIMIT " + (mayRepeat ? EXAMPLE_WINDOW : EXAMPLES);
            sql.append(i == 0 ? "" : "\nUNION ALL\n").append("(SELECT ").append(i).append(" AS g, v FROM (")
                    .append(mayRepeat ? "SELECT DISTINCT v FROM (" + read + ") AS firsts" : read)
                    .append(") AS ex LIMIT ").append(EXAMPLES).append(')');
        }
        List<Object[]> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.toString())) {
            while (rs.next()) {
                rows.add(new Object[] {rs.getInt(1), rs.getString(2)});
            }
        }
        for (Object[] row : rows) {
            ColumnAccumulator col = columns.get((Integer) row[0]);
            col.examples.add(ProfileValues.typed(col.kind, (String) row[1]));
        }
    }
}
