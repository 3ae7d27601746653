package dev.dea.profile.mysql;

import dev.dea.config.SchemaConfig;
import dev.dea.profile.DistributionMode;
import dev.dea.profile.SampleInfo;
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
 * primary key: 100 key ranges spread over the key space at seeded random offsets; reads only those
 * rows, block-like) or {@code RAND} ({@code WHERE RAND(42) < fraction}: row-level, but reads the table).
 * Views are read up to {@code profileSampleRows} rows ({@code LIMIT}, possibly biased).
 */
public final class MySqlTableProfiler implements TableProfiler {
    static final int RANGES = 100;
    private static final int SEED = 42;
    private final SchemaConfig config;

    public MySqlTableProfiler(SchemaConfig config) {
        this.config = requireNonNull(config, "config");
    }

    /** Where the rows come from: {@code method} empty when read in full; {@code fraction} of the table it holds. */
    record Source(String sql, Optional<String> method, double fraction) {
    }

    @Override
    public TableProfile profile(Connection c, TableInfo table, DatabaseSchema schema, DistributionMode mode)
            throws SQLException {
        long started = System.nanoTime();
        String relation = MySqlNames.always(table.schema()) + "." + MySqlNames.always(table.name());
        List<ColumnInfo> infos = table.columns();
        String columnList = infos.isEmpty() ? "1" : String.join(", ",
                infos.stream().map(ci -> MySqlNames.always(ci.name())).toList());
        long target = Math.max(1, config.profileSampleRows());
        long estimate = table.approxRowCount().orElse(0L);
        Source whole = new Source(relation + " AS s", Optional.empty(), 1);
        Source first;
        if (table.kind() == TableKind.VIEW) {
            first = new Source("(SELECT " + columnList + " FROM " + relation + " LIMIT " + target + ") AS s",
                    Optional.of("LIMIT"), 1);
        } else if (estimate > config.profileSampleAboveRows()) {
            first = sample(c, table, relation, columnList, Math.min(1, (double) target / estimate));
        } else {
            first = whole;
        }
        List<ColumnStats> columns = columns(infos);
        long rows = AggregateScan.run(c, first.sql(), columns);
        boolean limitReached = first.method().filter("LIMIT"::equals).isPresent() && rows >= target;
        boolean sampled = first.method().isPresent() && (limitReached || !first.method().get().equals("LIMIT"));
        Source second = first;
        boolean scale = false;
        if (!sampled && rows > target && mode == DistributionMode.AUTO) {
            second = sample(c, table, relation, columnList, (double) target / rows);
            scale = second.method().isPresent();
        }
        DistributionScan.run(c, second.sql(), columns, scale);
        columns.forEach(MySqlTableProfiler::annotate);

        long rowCount = rows;
        Optional<SampleInfo> sample = Optional.empty();
        Optional<String> note = Optional.empty();
        if (sampled) {
            String method = first.method().get();
            String why;
            if (method.equals("LIMIT")) {
                why = "Views cannot be sampled at random: statistics describe the first " + rows
                        + " rows returned and may be biased; row_count is at least that";
            } else {
                rowCount = Math.round(rows / first.fraction());
                why = method.equals("RAND") ? "Rows kept by WHERE RAND(" + SEED + ") < fraction; statistics describe "
                        + "the sampled rows; row_count is extrapolated from the sample"
                        : "Rows in " + RANGES + " primary-key ranges spread over the key space (whole runs of rows, "
                        + "like block sampling); statistics describe them; row_count is extrapolated from the sample";
            }
            Optional<Double> percent = method.equals("LIMIT") ? Optional.empty()
                    : Optional.of(new BigDecimal(first.fraction() * 100).round(new MathContext(4)).doubleValue());
            sample = Optional.of(new SampleInfo(method, percent, rows, why));
        } else if (scale) {
            note = Optional.of("Read in full: row count, null counts, min, max, mean, stddev and lengths are exact; "
                    + "distinct counts, quartiles, histograms and top values marked as estimated come from a "
                    + second.method().get() + " sample of about " + target + " rows; ?distribution=exact counts them");
        }
        double elapsed = Math.round((System.nanoTime() - started) / 100_000.0) / 10.0;
        return new TableProfile(table.qualifiedName(), table.kind().wireName(), rowCount, sampled, sample, elapsed,
                note, columns.stream().map(ColumnStats::toProfile).toList());
    }

    private static List<ColumnStats> columns(List<ColumnInfo> infos) {
        List<ColumnStats> out = new ArrayList<>();
        for (ColumnInfo ci : infos) {
            out.add(new ColumnStats(ci.name(), ci.type(), "s." + MySqlNames.always(ci.name())));
        }
        return out;
    }

    /**
     * A sample of about {@code fraction} of the table: primary-key ranges when the key is one
     * integer column (reads only the sampled rows), else RAND (reads every row, keeps a fraction).
     */
    Source sample(Connection c, TableInfo table, String relation, String columnList, double fraction)
            throws SQLException {
        if (fraction >= 1) {
            return new Source(relation + " AS s", Optional.empty(), 1);
        }
        String rand = "(SELECT " + columnList + " FROM " + relation + " WHERE RAND(" + SEED + ") < "
                + BigDecimal.valueOf(fraction).toPlainString() + ") AS s";
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
            min = rs.getLong(1);
            if (rs.wasNull()) {
                return byRand;
            }
            max = rs.getLong(2);
        }
        double space = (double) max - min + 1;
        double stratum = space / RANGES;
        long width = Math.max(1, Math.round(space * fraction / RANGES));
        if (width >= stratum) {
            return byRand;
        }
        Random random = new Random(SEED);
        List<String> ranges = new ArrayList<>();
        for (int i = 0; i < RANGES; i++) {
            long start = min + (long) (i * stratum + random.nextDouble() * (stratum - width));
            ranges.add(key + " BETWEEN " + start + " AND " + (start + width - 1));
        }
        String sql = "(SELECT " + columnList + " FROM " + relation + " WHERE " + String.join(" OR ", ranges) + ") AS s";
        return new Source(sql, Optional.of("PRIMARY_KEY_RANGES"), RANGES * width / space);
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
