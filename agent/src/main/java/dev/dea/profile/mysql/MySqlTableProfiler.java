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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static java.util.Objects.requireNonNull;

/**
 * Table profiles computed inside MySQL/MariaDB in two statements (docs/profiles.md, "MySQL"):
 * {@link AggregateScan} (counts, nulls, min, max, mean, stddev, lengths: exact when the table is
 * read in full) and {@link DistributionScan} (top values, distinct counts, quartiles, histograms
 * from one grouped, windowed pass over at most {@link SchemaConfig#profileSampleRows()} rows).
 * Nothing sorts the whole table.
 *
 * <p>MySQL has no TABLESAMPLE. A sample is either {@code PRIMARY_KEY_RANGES} (a single integer
 * primary key: 100 key ranges (25 for the distribution sample) spread over the key space at seeded random offsets; reads only those
 * rows, block-like) or {@code RAND} ({@code WHERE RAND(42) < fraction}: row-level, but reads the table).
 * Views are read up to {@code profileSampleRows} rows ({@code LIMIT}, possibly biased).
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
    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
    private static final int SEED = 42;
    private final SchemaConfig config;

    public MySqlTableProfiler(SchemaConfig config) {
        this.config = requireNonNull(config, "config");
    }

    /** Where the rows come from, as a SELECT of the profiled columns; {@code method} empty when read in full. */
    record Source(String select, Optional<String> method, double fraction, Optional<String> relation) {
        Source(String select, Optional<String> method, double fraction) {
            this(select, method, fraction, Optional.empty());
        }

        /** The FROM item of the first pass: the table itself when read in full (a derived table might be materialized). */
        String from() {
            return relation.map(r -> r + " AS s").orElse("(" + select + ") AS s");
        }
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
        Source whole = new Source("SELECT " + columnList + " FROM " + relation, Optional.empty(), 1,
                Optional.of(relation));
        Source first;
        if (view) {
            first = limit(whole, target);
        } else if (estimate > config.profileSampleAboveRows()) {
            first = sample(c, table, relation, columnList, (double) target / estimate, RANGES);
        } else {
            first = whole;
        }
        List<ColumnStats> columns = columns(infos);
        long reads = first.method().isPresent() ? target : estimate;
        long rows = SplitPass.run(c, readsSampleOnly(first) ? spare : SpareConnection.NONE, reads, columns,
                AggregateScan::cost,
                (conn, group) -> AggregateScan.run(conn, first.from(), group));
        boolean isLimit = first.method().filter("LIMIT"::equals).isPresent();
        boolean sampled = first.method().isPresent() && (!isLimit || rows >= target);
        long rowCount = sampled && !isLimit ? Math.round(rows / first.fraction()) : rows;

        Source second = sampled ? first : whole;
        boolean scale = false;
        if (rows > distributionTarget && (sampled || mode == DistributionMode.AUTO)) {
            second = view ? limit(whole, distributionTarget)
                    : sample(c, table, relation, columnList, (double) distributionTarget / Math.max(1, rowCount),
                    DISTRIBUTION_RANGES);
            scale = second.method().isPresent();
        }
        String distributionSource = second.select();
        boolean scaleTo = scale;
        // A whole-table distribution (?distribution=exact) can run for minutes: it keeps to one
        // connection, so that it never holds a spare a waiting profile could use meanwhile.
        boolean bounded = (scale || rows <= distributionTarget) && readsSampleOnly(second);
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
                case "LIMIT" -> "Views cannot be sampled at random: statistics describe the first " + rows
                        + " rows returned and may be biased; row_count is at least that";
                case "RAND" -> "Rows kept by WHERE RAND(" + SEED + ") < fraction (the whole table is read); "
                        + "statistics describe the sampled rows; row_count is extrapolated from the sample";
                default -> "Rows in " + RANGES + " primary-key ranges spread over the key space (runs of neighbouring "
                        + "rows, like block sampling; only they are read); statistics describe them; row_count is "
                        + "extrapolated from the sample";
            };
            Optional<Double> percent = isLimit ? Optional.empty()
                    : Optional.of(new BigDecimal(first.fraction() * 100).round(new MathContext(4)).doubleValue());
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

    /**
     * Whether reading {@code source} costs about its rows, so that splitting it over two
     * connections halves it: not a RAND sample, which reads the whole table to keep a fraction
     * (two statements would read it twice and hold the spare connection as long as one).
     */
    private static boolean readsSampleOnly(Source source) {
        return source.method().filter("RAND"::equals).isEmpty();
    }

    private static Source limit(Source whole, long rows) {
        return new Source(whole.select() + " LIMIT " + rows, Optional.of("LIMIT"), 1);
    }

    private static List<ColumnStats> columns(List<ColumnInfo> infos) {
        List<ColumnStats> out = new ArrayList<>();
        for (ColumnInfo ci : infos) {
            out.add(new ColumnStats(ci.name(), ci.type(), ci.nullable(), "s." + MySqlNames.always(ci.name())));
        }
        return out;
    }

    /**
     * A sample of about {@code fraction} of the table: primary-key ranges when the key is one
     * integer column (reads only the sampled rows), else RAND (reads every row, keeps a fraction).
     */
    Source sample(Connection c, TableInfo table, String relation, String columnList, double fraction, int count)
            throws SQLException {
        if (fraction >= 1) {
            return new Source("SELECT " + columnList + " FROM " + relation, Optional.empty(), 1);
        }
        String rand = "SELECT " + columnList + " FROM " + relation + " WHERE RAND(" + SEED + ") < "
                + BigDecimal.valueOf(fraction).toPlainString();
        Source byRand = new Source(rand, Optional.of("RAND"), fraction);
        if (table.primaryKey().size() != 1) {
            return byRand;
        }
        String pk = table.primaryKey().get(0);
        boolean integerKey = table.column(pk).map(ci -> MySqlKind.of(ci.type()) == MySqlKind.INTEGER).orElse(false);
        if (!integerKey) {
            return byRand;
        }
        String key = MySqlNames.always(pk);
        long min;
        long max;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT MIN(" + key + "), MAX(" + key + ") FROM " + relation)) {
            rs.next();
            // Decimals, not getLong: a BIGINT UNSIGNED key may hold values past 2^63, which getLong refuses.
            BigDecimal low = rs.getBigDecimal(1);
            BigDecimal high = rs.getBigDecimal(2);
            if (low == null || high == null || low.compareTo(LONG_MIN) < 0 || high.compareTo(LONG_MAX) > 0) {
                return byRand;
            }
            min = low.longValueExact();
            max = high.longValueExact();
        }
        double space = (double) max - min + 1;
        double stratum = space / count;
        long width = Math.max(1, Math.round(space * fraction / count));
        if (width >= stratum) {
            return byRand;
        }
        Random random = new Random(SEED);
        List<String> ranges = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long start = min + (long) (i * stratum + random.nextDouble() * (stratum - width));
            ranges.add(key + " BETWEEN " + start + " AND " + (start + width - 1));
        }
        String sql = "SELECT " + columnList + " FROM " + relation + " WHERE " + String.join(" OR ", ranges);
        return new Source(sql, Optional.of("PRIMARY_KEY_RANGES"), count * width / space);
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
