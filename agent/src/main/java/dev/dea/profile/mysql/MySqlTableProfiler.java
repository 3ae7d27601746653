package dev.dea.profile.mysql;

import dev.dea.config.SchemaConfig;
import dev.dea.profile.DistributionMode;
import dev.dea.profile.SampleInfo;
import dev.dea.profile.SpareConnection;
import dev.dea.profile.TableProfile;
import dev.dea.profile.TableProfiler;
import dev.dea.schema.ColumnInfo;
import dev.dea.schema.DatabaseSchema;
import dev.dea.schema.TableInfo;
import dev.dea.schema.TableKind;
import dev.dea.schema.mysql.MySqlNames;

import java.math.BigDecimal;
import java.math.MathContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Table profiles computed inside MySQL/MariaDB in two statements (docs/profiles.md, "MySQL"):
 * {@link AggregateScan} (counts, nulls, min, max, mean, stddev, lengths: exact when the table is
 * read in full) and {@link DistributionScan} (top values, distinct counts, quartiles, histograms
 * from one grouped, windowed pass over at most {@link SchemaConfig#profileSampleRows()} rows).
 * Nothing sorts the whole table.
 *
 * <p>MySQL has no TABLESAMPLE: {@link Sampling} picks key ranges or runs (100, 25 for the
 * distribution sample; only those rows are read) where the primary key allows, else
 * {@code RAND} (reads the table). Views are read up to {@code profileSampleRows} rows
 * ({@code LIMIT}, possibly biased).
 */
public final class MySqlTableProfiler implements TableProfiler {
    static final int RANGES = 100;
    /**
     * Ranges of the distribution sample: its CTE is read once per branch, and MariaDB plans the
     * ranges again each time (18 reads of 100 ranges: 0.19 s; of 20 ranges: 0.07 s).
     */
    static final int DISTRIBUTION_RANGES = 25;
    /**
     * Rows the distribution pass groups and sorts. Grouping costs MariaDB about 1.5 us per value
     * and column, so 20,000 rows keep a 10-column distribution pass near 0.2 s (docs/benchmarks-mysql.md).
     */
    static final long DISTRIBUTION_ROWS = 20_000;
    private final SchemaConfig config;

    public MySqlTableProfiler(SchemaConfig config) {
        this.config = requireNonNull(config, "config");
    }

    @Override
    public TableProfile profile(Connection c, TableInfo table, DatabaseSchema schema, DistributionMode mode)
            throws SQLException {
        return profile(c, table, schema, mode, SpareConnection.NONE);
    }

    /** With a {@code spare} connection free, each bounded pass over a large table runs as two statements at once ({@link SplitPass}). */
    @Override
    public TableProfile profile(Connection c, TableInfo table, DatabaseSchema schema, DistributionMode mode,
                                SpareConnection spare) throws SQLException {
        long started = System.nanoTime();
        String relation = MySqlNames.always(table.schema()) + "." + MySqlNames.always(table.name());
        List<ColumnInfo> infos = table.columns();
        String columnList = infos.isEmpty() ? "1" : String.join(", ",
                infos.stream().map(ci -> MySqlNames.always(ci.name())).toList());
        long target = Math.max(1, config.profileSampleRows());
        long distributionTarget = Math.min(target, DISTRIBUTION_ROWS);
        long estimate = table.approxRowCount().orElse(0L);
        boolean view = table.kind() == TableKind.VIEW;
        Source whole = Source.whole(relation, columnList);
        Source first;
        if (view) {
            first = Sampling.limit(whole, target);
        } else if (estimate > config.profileSampleAboveRows()) {
            first = Sampling.sample(c, table, relation, columnList, target, estimate, RANGES);
        } else {
            first = whole;
        }
        List<ColumnStats> columns = columns(infos);
        long reads = first.method().isPresent() ? target : estimate;
        long rows = SplitPass.run(c, first.readsSampleOnly() ? spare : SpareConnection.NONE, reads, columns,
                AggregateScan::cost,
                (conn, group) -> AggregateScan.run(conn, first.from(), group));
        boolean isLimit = first.method().filter(Sampling.LIMIT::equals).isPresent();
        boolean sampled = first.method().isPresent() && (!isLimit || rows >= target);
        long rowCount = sampled && !isLimit ? first.tableRows(rows) : rows;

        Source second = sampled ? first : whole;
        boolean scale = false;
        if (rows > distributionTarget && (sampled || mode == DistributionMode.AUTO)) {
            second = view ? Sampling.limit(whole, distributionTarget)
                    : Sampling.sample(c, table, relation, columnList, distributionTarget, rowCount, DISTRIBUTION_RANGES);
            scale = second.method().isPresent();
        }
        String distributionSource = second.select();
        boolean scaleTo = scale;
        // A whole-table distribution (?distribution=exact) can run for minutes: it keeps to one
        // connection, so that it never holds a spare a waiting profile could use meanwhile.
        boolean bounded = (scale || rows <= distributionTarget) && second.readsSampleOnly();
        SplitPass.run(c, bounded ? spare : SpareConnection.NONE, Math.min(rows, distributionTarget), columns,
                DistributionScan::cost, (conn, group) -> {
            DistributionScan.run(conn, distributionSource, group, scaleTo);
            return null;
        });
        columns.forEach(MySqlTableProfiler::annotate);

        Optional<SampleInfo> sample = Optional.empty();
        List<String> notes = new ArrayList<>();
        if (sampled) {
            String method = first.method().get();
            String why = switch (method) {
                case Sampling.LIMIT -> "Views cannot be sampled at random: statistics describe the first " + rows
                        + " rows returned and may be biased; row_count is at least that";
                case Sampling.RAND -> "Rows kept by WHERE RAND(" + Sampling.SEED + ") < fraction (the whole table is "
                        + "read); statistics describe the sampled rows; row_count is extrapolated from the sample";
                case Sampling.RUNS -> "Runs of neighbouring rows in primary-key order, one from a random point in each of "
                        + RANGES + " parts of the key span (like block sampling; only they are read); statistics "
                        + "describe them; row_count is InnoDB's estimate (information_schema.TABLES.TABLE_ROWS)";
                default -> "Rows in " + RANGES + " primary-key ranges spread over the key space (runs of neighbouring "
                        + "rows, like block sampling; only they are read); statistics describe them; row_count is "
                        + "extrapolated from the sample";
            };
            Optional<Double> percent = isLimit || rowCount == 0 ? Optional.empty()
                    : Optional.of(new BigDecimal(100.0 * rows / rowCount).round(new MathContext(4)).doubleValue());
            sample = Optional.of(new SampleInfo(method, percent, rows, why));
        }
        if (scale) {
            notes.add((sampled ? "Counts, min, max, mean, stddev and lengths describe the sample above" : "Read in "
                    + "full: row count, null counts, min, max, mean, stddev and lengths are exact")
                    + "; distinct counts, quartiles, histograms and top values marked as estimated come from a "
                    + second.method().get() + " sample of about " + distributionTarget + " rows, scaled"
                    + (sampled ? "" : "; ?distribution=exact counts them"));
        }
        Optional<String> note = notes.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", notes));
        double elapsed = Math.round((System.nanoTime() - started) / 100_000.0) / 10.0;
        return new TableProfile(table.qualifiedName(), table.kind().wireName(), rowCount, sampled, sample, elapsed,
                note, columns.stream().map(ColumnStats::toProfile).toList());
    }

    private static List<ColumnStats> columns(List<ColumnInfo> infos) {
        List<ColumnStats> out = new ArrayList<>();
        for (ColumnInfo ci : infos) {
            out.add(new ColumnStats(ci.name(), ci.type(), ci.nullable(), "s." + MySqlNames.always(ci.name())));
        }
        return out;
    }

    private static void annotate(ColumnStats col) {
        switch (col.kind) {
            case JSON -> col.note("JSON cannot be ordered or averaged: null count and lengths (bytes of the JSON text)");
            case BYTES -> col.note("binary strings: null count and lengths in bytes");
            case GEOMETRY -> col.note("geometries: null count and lengths in bytes of the stored value");
            case SET -> col.note("sets have no useful order: no min or max; top values count whole combinations");
            default -> {
            }
        }
    }
}
