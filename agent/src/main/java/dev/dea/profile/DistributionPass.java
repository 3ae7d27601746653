package dev.dea.profile;

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
    /** Beyond this many distinct values a number or date is continuous: its histogram says more. */
    static final long MAX_DISTINCT_FOR_NUMERIC_TOP_VALUES = 100;
    /** Sets per query: bounds the memory of one aggregation on very wide tables. */
    private static final int SETS_PER_QUERY = 100;

    private DistributionPass() {
    }

    private record GroupSet(ColumnAccumulator col, String keyExpr, Histograms.Plan histogram) {
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
                String e = col.facts.expr();
                sets.add(new GroupSet(col, col.facts.groupable() ? e : "(" + e + ")::text", null));
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
        for (int from = 0; from < uniqueWithExamples.size(); from += SETS_PER_QUERY) {
            List<ColumnAccumulator> part = uniqueWithExamples.subList(from,
                    Math.min(uniqueWithExamples.size(), from + SETS_PER_QUERY));
            if (Savepoints.attempt(c, () -> examples(c, source, part)).isPresent()) {
                for (ColumnAccumulator col : part) {
                    Savepoints.attempt(c, () -> examples(c, source, List.of(col))).ifPresent(e -> col.note(
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
        String sql = "SELECT g, v, n, top_rank, example_rank FROM (\n"
                + "  SELECT g, v, n, row_number() OVER (PARTITION BY g ORDER BY n DESC, v) AS top_rank,\n"
                + "         row_number() OVER (PARTITION BY g ORDER BY md5(v), v) AS example_rank\n"
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
                rows.add(new Object[] {rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getInt(4), rs.getInt(5)});
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
     */
    private static String display(String expr, StatKind kind) {
        String text = kind.isTemporal() ? "(to_json(" + expr + ") #>> '{}')" : "(" + expr + ")::text";
        return "left(" + text + ", " + (ProfileValues.MAX_DISPLAY_CHARS + 1) + ")";
    }

    private static void examples(Connection c, String source, List<ColumnAccumulator> columns) throws SQLException {
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            String e = columns.get(i).facts.expr();
            sql.append(i == 0 ? "" : "\nUNION ALL\n").append("(SELECT ").append(i).append(" AS g, ")
                    .append(display(e, columns.get(i).kind)).append(" AS v FROM ").append(source)
                    .append(" WHERE ").append(e).append(" IS NOT NULL LIMIT ").append(EXAMPLES).append(')');
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
