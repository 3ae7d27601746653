package dev.dea.profile.postgresql;

import dev.dea.profile.Quantiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The first pass: one wide aggregate query computing, for every column at once, counts,
 * min/max, mean, stddev and lengths, and in {@link Mode#EXACT} also distinct counts and
 * quartiles. PostgreSQL allows at most 1664 output columns, so very wide tables are split over
 * several such queries.
 *
 * <p>{@link Mode#FAST} leaves out everything that sorts (count(DISTINCT), percentiles) and every
 * per-aggregate FILTER, so that the query is a plain aggregate PostgreSQL can run in parallel.
 * NaN and infinities sort at the ends, so finite extremes prove a column has none; a column whose
 * extremes are not finite is computed again, alone with the others like it, with the FILTERs.
 */
final class AggregatePass {
    private static final Logger log = LoggerFactory.getLogger(AggregatePass.class);
    private static final int MAX_OUTPUTS = 1_500;
    private static final String QUARTILES = "ARRAY[0.25, 0.5, 0.75]";
    static final String QUANTILES_EXACT = "exact";

    private AggregatePass() {
    }

    enum Mode {
        /** Exact distinct counts and quartiles, finite-only statistics via FILTER: sorts every column. */
        EXACT(true, true, true),
        /** No sorts, no FILTER: a plain (parallel) aggregate; see the class comment. */
        FAST(false, false, false),
        /** FAST's statistics with FILTERs, for the columns FAST found non-finite values in. */
        FILTERED(false, false, true);

        final boolean distinct;
        final boolean quantiles;
        final boolean filter;

        Mode(boolean distinct, boolean quantiles, boolean filter) {
            this.distinct = distinct;
            this.quantiles = quantiles;
            this.filter = filter;
        }
    }

    @FunctionalInterface
    private interface Reader {
        void read(ResultSet rs, int first) throws SQLException;
    }

    private record Planned(ColumnAccumulator col, List<String> outputs, Reader reader) {
    }

    /** Runs the pass over {@code source} (a FROM item aliased {@code src}); returns the rows it saw. */
    static long run(Connection c, String source, List<ColumnAccumulator> columns, int serverMajor)
            throws SQLException {
        return run(c, source, columns, serverMajor, Mode.EXACT);
    }

    static long run(Connection c, String source, List<ColumnAccumulator> columns, int serverMajor, Mode mode)
            throws SQLException {
        long rows = runOnce(c, source, columns, serverMajor, mode);
        if (mode == Mode.FAST) {
            List<ColumnAccumulator> nonFinite = columns.stream().filter(col -> col.rerun).toList();
            if (!nonFinite.isEmpty()) {
                nonFinite.forEach(col -> col.rerun = false);
                runOnce(c, source, nonFinite, serverMajor, Mode.FILTERED);
            }
        }
        return rows;
    }

    private static long runOnce(Connection c, String source, List<ColumnAccumulator> columns, int serverMajor,
                                Mode mode) throws SQLException {
        List<List<Planned>> chunks = new ArrayList<>();
        List<Planned> chunk = new ArrayList<>();
        int outputs = 0;
        for (ColumnAccumulator col : columns) {
            Planned p = plan(col, serverMajor, mode);
            if (!chunk.isEmpty() && outputs + p.outputs().size() > MAX_OUTPUTS) {
                chunks.add(chunk);
                chunk = new ArrayList<>();
                outputs = 0;
            }
            chunk.add(p);
            outputs += p.outputs().size();
        }
        chunks.add(chunk);
        long rows = 0;
        for (List<Planned> part : chunks) {
            long[] seen = new long[1];
            Optional<SQLException> failed = Savepoints.attempt(c, () -> seen[0] = query(c, source, part));
            if (failed.isPresent()) {
                // Some column's statistic is not computable: retry column by column, isolating it.
                log.debug("Aggregate pass failed ({}); retrying column by column", Savepoints.reason(failed.get()));
                for (Planned p : part) {
                    Optional<SQLException> alone = Savepoints.attempt(c, () -> seen[0] = query(c, source, List.of(p)));
                    if (alone.isPresent()) {
                        seen[0] = query(c, source, List.of(minimal(p.col())));
                        p.col().note("statistics could not be computed: " + Savepoints.reason(alone.get()));
                    }
                }
            }
            rows = seen[0];
        }
        return rows;
    }

    private static long query(Connection c, String source, List<Planned> part) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT count(*)");
        for (Planned p : part) {
            for (String o : p.outputs()) {
                sql.append(",\n  ").append(o);
            }
        }
        sql.append("\nFROM ").append(source);
        log.debug("Aggregate pass:\n{}", sql);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql.toString())) {
            rs.next();
            int index = 2;
            for (Planned p : part) {
                p.reader().read(rs, index);
                index += p.outputs().size();
            }
            return rs.getLong(1);
        }
    }

    /** Just the null count, which any type supports. */
    private static Planned minimal(ColumnAccumulator col) {
        return new Planned(col, List.of("count(" + col.facts.expr() + ")"), (rs, i) -> {
            col.nonNull = rs.getLong(i);
            col.nullCount = rs.getLong(1) - col.nonNull;
            col.distinct = null;
            col.finite = null;
            col.failed = true;
        });
    }

    private static Planned plan(ColumnAccumulator col, int serverMajor, Mode mode) {
        ColumnFacts f = col.facts;
        String e = f.expr();
        boolean nonFinite = col.kind.hasNonFinite();
        boolean filtered = nonFinite && mode.filter;
        // FAST: one boolean saying whether both extremes are finite (then every value is).
        boolean finiteFlag = nonFinite && !mode.filter;
        String filter = filtered ? " FILTER (WHERE " + f.finiteCondition(serverMajor) + ")" : "";
        List<String> out = new ArrayList<>();
        out.add("count(" + e + ")");
        if (mode.distinct) {
            out.add(f.orderable() ? "count(DISTINCT " + e + ")" : "count(DISTINCT (" + e + ")::text)");
        }
        if (filtered) {
            out.add("count(" + e + ")" + filter);
        }
        if (finiteFlag) {
            String d = col.kind == StatKind.FLOAT ? "(" + e + ")::float8" : e;
            out.add("(" + f.finiteCondition(serverMajor, "min(" + d + ")") + ") AND ("
                    + f.finiteCondition(serverMajor, "max(" + d + ")") + ")");
        }
        if (col.kind == StatKind.BOOL && !mode.distinct) {
            out.add("count(*) FILTER (WHERE " + e + ")");
        }
        int common = out.size();
        // Exact mode keeps numeric arithmetic for integers; the others use float8 for mean and spread
        // (both are shown to six digits), one shared transition instead of two numeric ones.
        String moments = mode.distinct ? e : "(" + e + ")::float8";
        Reader extra = switch (col.kind) {
            case INTEGER -> {
                out.addAll(List.of("min(" + e + ")::text", "max(" + e + ")::text", "avg(" + moments + ")::text",
                        "stddev_samp(" + moments + ")::text"));
                if (mode.quantiles) {
                    out.add("percentile_cont(" + QUARTILES + ") WITHIN GROUP (ORDER BY (" + e + ")::float8)");
                }
                yield (rs, i) -> {
                    String min = rs.getString(i);
                    if (min != null) {
                        col.min = col.low = Long.parseLong(min);
                        col.max = col.high = Long.parseLong(rs.getString(i + 1));
                    }
                    readMoments(col, rs, i + 2);
                    if (mode.quantiles) {
                        col.quantiles = doubles(ProfileValues.array(rs.getArray(i + 4)));
                        col.quantilesMethod = QUANTILES_EXACT;
                    }
                };
            }
            case DECIMAL -> {
                out.addAll(List.of(agg("min", e, filter) + "::text", agg("max", e, filter) + "::text",
                        agg("avg", e, filter) + "::text", agg("stddev_samp", e, filter) + "::text"));
                if (mode.quantiles) {
                    out.add("(percentile_disc(" + QUARTILES + ") WITHIN GROUP (ORDER BY " + e + ")" + filter + ")::text[]");
                }
                yield (rs, i) -> {
                    String min = rs.getString(i);
                    if (min != null) {
                        String max = rs.getString(i + 1);
                        col.min = min;
                        col.max = max;
                        col.low = new BigDecimal(min);
                        col.high = new BigDecimal(max);
                    }
                    readMoments(col, rs, i + 2);
                    if (mode.quantiles) {
                        Object[] q = ProfileValues.array(rs.getArray(i + 4));
                        if (q != null && q.length == 3 && q[0] != null) {
                            col.quantiles = new Quantiles(q[0], q[1], q[2]);
                            col.quantilesMethod = QUANTILES_EXACT;
                        }
                    }
                };
            }
            case FLOAT -> {
                String d = "(" + e + ")::float8";
                out.addAll(List.of(agg("min", d, filter) + "::text", agg("max", d, filter) + "::text",
                        agg("avg", d, filter) + "::text", agg("stddev_samp", d, filter) + "::text"));
                if (mode.quantiles) {
                    out.add("percentile_cont(" + QUARTILES + ") WITHIN GROUP (ORDER BY " + d + ")" + filter);
                }
                yield (rs, i) -> {
                    String min = rs.getString(i);
                    if (min != null) {
                        double low = Double.parseDouble(min);
                        double high = Double.parseDouble(rs.getString(i + 1));
                        col.low = low;
                        col.high = high;
                        col.min = ProfileValues.number(low);
                        col.max = ProfileValues.number(high);
                    }
                    readMoments(col, rs, i + 2);
                    if (mode.quantiles) {
                        col.quantiles = doubles(ProfileValues.array(rs.getArray(i + 4)));
                        col.quantilesMethod = QUANTILES_EXACT;
                    }
                };
            }
            case DATE, TIMESTAMP, TIMESTAMPTZ -> {
                // The histogram works in whole days for dates and in epoch seconds for timestamps.
                boolean date = col.kind == StatKind.DATE;
                String min = agg("min", e, filter);
                String max = agg("max", e, filter);
                String minUnit = date ? min + " - DATE '1970-01-01'" : "extract(epoch FROM " + min + ")::float8";
                String maxUnit = date ? max + " - DATE '1970-01-01'" : "extract(epoch FROM " + max + ")::float8";
                if (finiteFlag) {
                    // Subtracting an infinite date is an error: only finite extremes are converted.
                    minUnit = "CASE WHEN isfinite(" + min + ") THEN " + minUnit + " END";
                    maxUnit = "CASE WHEN isfinite(" + max + ") THEN " + maxUnit + " END";
                }
                out.addAll(List.of(min, max, minUnit, maxUnit));
                Class<?> type = switch (col.kind) {
                    case DATE -> LocalDate.class;
                    case TIMESTAMP -> LocalDateTime.class;
                    default -> OffsetDateTime.class;
                };
                yield (rs, i) -> {
                    Object low = rs.getObject(i, type);
                    if (low != null) {
                        col.min = iso(low);
                        col.max = iso(rs.getObject(i + 1, type));
                        col.low = date ? (Object) rs.getLong(i + 2) : (Object) rs.getDouble(i + 2);
                        col.high = date ? (Object) rs.getLong(i + 3) : (Object) rs.getDouble(i + 3);
                    }
                };
            }
            case TEXT, JSON, BYTES, TSVECTOR, ARRAY -> {
                String len = switch (col.kind) {
                    case TEXT -> "char_length(" + e + ")";
                    case JSON -> "octet_length((" + e + ")::text)";
                    case BYTES -> "octet_length(" + e + ")";
                    case TSVECTOR -> "length(" + e + ")";
                    default -> "cardinality(" + e + ")";
                };
                if (col.kind == StatKind.TEXT && !mode.filter) {
                    // char_length walks the string, octet_length does not: char_length once, for the mean;
                    // equal means prove every value is one byte per character, so octet extremes are the
                    // character extremes. Otherwise FILTERED computes this column again.
                    String bytes = "octet_length(" + e + ")";
                    out.addAll(List.of("min(" + bytes + ")", "avg(" + len + ")::float8", "max(" + bytes + ")",
                            "avg(" + len + ")::text = avg(" + bytes + ")::text"));
                    yield (rs, i) -> {
                        long min = rs.getLong(i);
                        if (!rs.wasNull()) {
                            if (!rs.getBoolean(i + 3)) {
                                col.rerun = true;
                                return;
                            }
                            col.minLength = min;
                            col.avgLength = ProfileValues.round(rs.getDouble(i + 1), 2);
                            col.maxLength = rs.getLong(i + 2);
                        }
                    };
                }
                out.addAll(List.of("min(" + len + ")", "avg(" + len + ")::float8", "max(" + len + ")"));
                yield (rs, i) -> {
                    long min = rs.getLong(i);
                    if (!rs.wasNull()) {
                        col.minLength = min;
                        col.avgLength = ProfileValues.round(rs.getDouble(i + 1), 2);
                        col.maxLength = rs.getLong(i + 2);
                    }
                };
            }
            case OTHER -> {
                // time, interval, money and the like: ordered, and their extremes read well as text.
                char cat = f.leafCategory();
                if (f.orderable() && (cat == 'D' || cat == 'T' || cat == 'N')) {
                    out.addAll(List.of("min(" + e + ")::text", "max(" + e + ")::text"));
                    yield (rs, i) -> {
                        col.min = rs.getString(i);
                        col.max = rs.getString(i + 1);
                    };
                }
                yield (rs, i) -> {
                };
            }
            case BOOL, ENUM -> (rs, i) -> {
            };
        };
        Reader reader = (rs, i) -> {
            int at = i;
            col.nonNull = rs.getLong(at++);
            col.nullCount = rs.getLong(1) - col.nonNull;
            if (mode.distinct) {
                col.distinct = rs.getLong(at++);
            }
            col.finite = filtered ? rs.getLong(at++) : col.nonNull;
            if (finiteFlag) {
                boolean finite = rs.getBoolean(at++);
                if (!rs.wasNull() && !finite) {
                    // Extremes are NaN or infinite: FILTERED computes this column again.
                    col.rerun = true;
                    return;
                }
            }
            if (col.kind == StatKind.BOOL && !mode.distinct) {
                col.trueCount = rs.getLong(at++);
            }
            extra.read(rs, i + common);
        };
        return new Planned(col, out, reader);
    }

    private static String agg(String function, String expr, String filter) {
        return "(" + function + "(" + expr + ")" + filter + ")";
    }

    private static String iso(Object temporal) {
        return switch (temporal) {
            case OffsetDateTime t -> ProfileValues.iso(t);
            case LocalDateTime t -> ProfileValues.iso(t);
            default -> temporal.toString();
        };
    }

    private static void readMoments(ColumnAccumulator col, ResultSet rs, int i) throws SQLException {
        col.mean = ProfileValues.approximate(rs.getString(i));
        col.stddev = ProfileValues.approximate(rs.getString(i + 1));
    }

    private static Quantiles doubles(Object[] q) {
        if (q == null || q.length != 3 || q[0] == null) {
            return null;
        }
        return new Quantiles(ProfileValues.number(((Number) q[0]).doubleValue()),
                ProfileValues.number(((Number) q[1]).doubleValue()),
                ProfileValues.number(((Number) q[2]).doubleValue()));
    }
}
