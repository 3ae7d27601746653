package dev.dea.profile.postgresql;

import dev.dea.profile.TableProfile;
import dev.dea.profile.SampleInfo;
import dev.dea.profile.DistributionMode;
import dev.dea.profile.TableProfiler;
import dev.dea.config.SchemaConfig;
import dev.dea.db.Database;
import dev.dea.schema.DatabaseSchema;
import dev.dea.schema.TableInfo;
import dev.dea.schema.TableKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.math.MathContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * PostgreSQL's {@link TableProfiler}: profiles computed inside PostgreSQL: a wide aggregate pass, then one grouping pass for
 * top values, examples and histograms. No table row ever reaches the agent, only aggregates
 * (and at most five example values per column).
 *
 * <p>Tables estimated above {@link SchemaConfig#profileSampleAboveRows()} rows are profiled on
 * a {@code TABLESAMPLE} of about {@link SchemaConfig#profileSampleRows()} rows: BERNOULLI (row
 * level, exact-sized) below a million rows, SYSTEM (block level, reads only the sampled pages)
 * above. A fixed REPEATABLE seed makes every pass see the same sample. Views and foreign tables
 * cannot be TABLESAMPLEd; above the threshold they are profiled on their first rows ({@code LIMIT}),
 * which bounds the cost but may be biased, and the response says so.
 *
 * <p><b>Small tables</b> (read in full, at most {@link #FAST_ABOVE_ROWS} rows by the planner's estimate,
 * or sampled) get every statistic exactly: one wide aggregate pass with {@code count(DISTINCT)} and
 * percentiles, then one {@code GROUPING SETS} pass for top values, examples and histograms.
 *
 * <p><b>Large tables read in full</b> avoid everything that sorts, and read the table at most three
 * times (see {@link AggregatePass.Mode#FAST} and {@link FastDistribution}):
 * <ol>
 *   <li>a plain (parallel) aggregate: row count, null counts, min, max, mean, stddev, lengths and
 *   boolean counts, all exact (a column with NaN or infinite values gets one more, filtered, aggregate);</li>
 *   <li>a plain (parallel) aggregate of cumulative bucket counts: exact histograms;</li>
 *   <li>a hashed {@code GROUPING SETS} over the columns with a manageable number of distinct values
 *   whose top values are shown (exact distinct counts, top values and examples), with {@code work_mem}
 *   raised by {@code SET LOCAL} for that transaction only.</li>
 * </ol>
 * What is then estimated is labelled: {@code distinct_count_estimated: true} marks a distinct count
 * taken from {@code pg_stats} (the last ANALYZE) instead of counted, and {@code quantiles_method} says
 * whether quartiles are {@code exact}, interpolated in {@code pg_stats} ({@code "pg_stats"}) or in the
 * exact histogram ({@code "histogram"}, when the table has no statistics). Estimated quartiles are
 * rounded to six significant digits. Columns with too many distinct values for the grouping show no
 * top values (their note says so) and their examples are distinct values among the first rows read.
 * Row count, null counts, min, max, mean, stddev and lengths are always exact when the table is
 * read in full; so are histogram counts up to {@link SchemaConfig#profileEstimateAboveRows()}
 * rows or with {@link DistributionMode#EXACT}.
 *
 * <p><b>Above {@link SchemaConfig#profileEstimateAboveRows()} rows</b> the second and third
 * scans are replaced, where the table's statistics are fresh, by {@code pg_stats} applied to the
 * first pass's exact counts ({@link StatsEstimates}): histograms and the top values of columns
 * with few values, each labelled, and the profile's note says so.
 */
public final class PostgresTableProfiler implements TableProfiler {
    private static final Logger log = LoggerFactory.getLogger(PostgresTableProfiler.class);
    static final long SYSTEM_SAMPLE_ABOVE_ROWS = 1_000_000;
    /** Tables read in full above this many (estimated) rows are profiled without sorting; see the class comment. */
    public static final long FAST_ABOVE_ROWS = 50_000;
    private static final int SAMPLE_SEED = 42;
    /** Relations whose pg_stat counters say how stale their statistics are (not partitioned parents). */
    private static final java.util.Set<TableKind> ESTIMABLE = java.util.EnumSet.of(TableKind.TABLE,
            TableKind.PARTITION, TableKind.MATERIALIZED_VIEW);
    public static final String ESTIMATED_NOTE = "Read in full; histograms and top values marked as estimated are "
            + "PostgreSQL's statistics of the last ANALYZE applied to the exact counts; ?distribution=exact counts them";
    private final SchemaConfig config;
    private final long fastAboveRows;

    public PostgresTableProfiler(SchemaConfig config) {
        this(config, FAST_ABOVE_ROWS);
    }

    /** {@code fastAboveRows}: tests move the line between the exact and the fast profile. */
    public PostgresTableProfiler(SchemaConfig config, long fastAboveRows) {
        this.config = requireNonNull(config, "config");
        this.fastAboveRows = fastAboveRows;
    }

    @Override
    public TableProfile profile(Connection c, TableInfo table, DatabaseSchema schema, DistributionMode mode)
            throws SQLException {
        return build(c, table, schema.serverMajorVersion(), mode, System.nanoTime());
    }

    /** The FROM item every pass reads; {@code method} is empty when the relation is read in full. */
    private record Source(String sql, Optional<String> method, Optional<Double> percent, long limit, long estimate) {
        static Source exact(String relation, long estimate) {
            return new Source(relation + " AS src", Optional.empty(), Optional.empty(), 0, estimate);
        }

        boolean isSystemSample() {
            return method.filter("SYSTEM"::equals).isPresent();
        }
    }

    private TableProfile build(Connection c, TableInfo table, int serverMajor, DistributionMode mode, long started)
            throws SQLException {
        ProfileCatalog.Relation rel = ProfileCatalog.read(c, table);
        List<ColumnAccumulator> columns = rel.columns().stream().map(ColumnAccumulator::new).toList();
        if (!rel.populated()) {
            return new TableProfile(table.qualifiedName(), table.kind().wireName(), 0, false, Optional.empty(),
                    elapsedMs(started), Optional.of("This materialized view has not been populated (REFRESH "
                    + "MATERIALIZED VIEW fills it); selecting from it fails, so there are no statistics"),
                    columns.stream().map(ColumnAccumulator::toProfile).toList());
        }
        String relation = Database.quoteIdent(table.schema()) + "." + Database.quoteIdent(table.name());
        Source source = chooseSource(c, table, relation, rel.columns());
        if (source.method().isEmpty() && source.estimate() > fastAboveRows) {
            long rows = AggregatePass.run(c, source.sql(), columns, serverMajor, AggregatePass.Mode.FAST);
            boolean mayEstimate = mode == DistributionMode.AUTO && source.estimate() > config.profileEstimateAboveRows()
                    && ESTIMABLE.contains(table.kind());
            boolean estimated = FastDistribution.run(c, source.sql(), table, columns, rows, serverMajor, mayEstimate);
            columns.forEach(PostgresTableProfiler::annotate);
            Optional<String> note = estimated ? Optional.of(ESTIMATED_NOTE) : Optional.empty();
            return new TableProfile(table.qualifiedName(), table.kind().wireName(), rows, false, Optional.empty(),
                    elapsedMs(started), note, columns.stream().map(ColumnAccumulator::toProfile).toList());
        }
        long rows = AggregatePass.run(c, source.sql(), columns, serverMajor);
        if (source.isSystemSample() && rows == 0 && source.estimate() > 0) {
            // Whole-block sampling can miss every block of a table the estimate overrated; rows won't.
            source = tableSample(relation, "BERNOULLI", source.percent().orElseThrow(), source.estimate());
            columns = rel.columns().stream().map(ColumnAccumulator::new).toList();
            rows = AggregatePass.run(c, source.sql(), columns, serverMajor);
        }
        DistributionPass.run(c, source.sql(), columns, serverMajor);
        columns.forEach(PostgresTableProfiler::annotate);

        long rowCount = rows;
        Optional<SampleInfo> sample = Optional.empty();
        // A LIMIT the relation did not reach read every row: that profile is exact.
        boolean limitReached = source.method().filter("LIMIT"::equals).isEmpty() || rows >= source.limit();
        if (source.method().isPresent() && limitReached) {
            String method = source.method().get();
            String note;
            if (method.equals("LIMIT")) {
                rowCount = Math.max(rows, source.estimate());
                note = "Views and foreign tables cannot be sampled at random: statistics describe the first " + rows
                        + " rows returned and may be biased; row_count is the planner's estimate";
            } else {
                rowCount = Math.round(rows * 100.0 / source.percent().orElseThrow());
                note = "Statistics describe the sampled rows; row_count is extrapolated from the sample";
            }
            sample = Optional.of(new SampleInfo(method, source.percent(), rows, note));
        }
        return new TableProfile(table.qualifiedName(), table.kind().wireName(), rowCount, sample.isPresent(), sample,
                elapsedMs(started), Optional.empty(), columns.stream().map(ColumnAccumulator::toProfile).toList());
    }

    private Source chooseSource(Connection c, TableInfo table, String relation, List<ColumnFacts> columns)
            throws SQLException {
        boolean tableSample = table.kind().supportsTableSample();
        OptionalLong estimate = tableSample && table.approxRowCount().isPresent()
                ? OptionalLong.of(table.approxRowCount().get())
                : ProfileCatalog.plannerEstimate(c, relation);
        long rows = estimate.orElse(0);
        if (rows <= config.profileSampleAboveRows()) {
            return Source.exact(relation, rows);
        }
        long target = Math.max(1, config.profileSampleRows());
        if (!tableSample) {
            // Only readable columns: SELECT * fails for a role with column-level grants.
            String cols = columns.isEmpty() ? "1" : String.join(", ",
                    columns.stream().map(f -> Database.quoteIdent(f.name())).toList());
            String sql = "(SELECT " + cols + " FROM " + relation + " LIMIT " + target + ") AS src";
            return new Source(sql, Optional.of("LIMIT"), Optional.empty(), target, rows);
        }
        double percent = samplePercent(target, rows);
        if (percent >= 100) {
            return Source.exact(relation, rows);
        }
        return tableSample(relation, rows >= SYSTEM_SAMPLE_ABOVE_ROWS ? "SYSTEM" : "BERNOULLI", percent, rows);
    }

    private static Source tableSample(String relation, String method, double percent, long estimate) {
        String sql = relation + " AS src TABLESAMPLE " + method + " (" + BigDecimal.valueOf(percent).toPlainString()
                + ") REPEATABLE (" + SAMPLE_SEED + ")";
        return new Source(sql, Optional.of(method), Optional.of(percent), 0, estimate);
    }

    /** The percentage that yields about {@code target} of {@code estimate} rows, to four significant digits. */
    static double samplePercent(long target, long estimate) {
        double p = 100.0 * target / Math.max(1, estimate);
        return new BigDecimal(p).round(new MathContext(4)).doubleValue();
    }

    /** Says how to read what is there and why the rest is missing. */
    private static void annotate(ColumnAccumulator col) {
        long excluded = col.nonNull == null || col.finite == null ? 0 : col.nonNull - col.finite;
        if (excluded > 0) {
            col.note(excluded + (col.kind.isTemporal() ? " infinite" : " NaN or infinite")
                    + " values are left out of min, max, mean, quantiles and histogram");
        }
        if (!col.facts.orderable()) {
            col.note(col.facts.type() + " has no ordering: distinct_count compares text forms; no min or max");
        }
        switch (col.kind) {
            case JSON -> col.note("lengths are bytes of the JSON text");
            case ARRAY -> col.note("lengths are element counts");
            default -> {
            }
        }
    }

    private static double elapsedMs(long started) {
        return ProfileValues.round((System.nanoTime() - started) / 1_000_000.0, 1);
    }
}
