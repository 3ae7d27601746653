package dev.dea.profile;

import dev.dea.profile.postgresql.PostgresTableProfiler;
import dev.dea.schema.postgresql.PostgresIntrospector;
import dev.dea.config.SchemaConfig;
import dev.dea.db.Database;
import dev.dea.schema.SchemaService;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Large tables read in full take histograms and the top values of columns with few values from
 * {@code pg_stats} (forced here with thresholds of 0 rows): labelled, consistent with the exact
 * counts, and not used when the statistics are missing or stale or when exact is asked for.
 */
class ProfileEstimatesIT {
    private static final SchemaConfig ESTIMATING = new SchemaConfig(Duration.ofMinutes(5), 100_000_000L, 100_000,
            2, 0);
    private static final int ROWS = 20_000;
    private static final String COLUMNS = """
            SELECT g::bigint AS id,
                   'grp-' || (g % 5) AS grp,
                   CASE WHEN g % 7 = 0 THEN NULL ELSE g % 40 END AS n,
                   round((g * 0.37)::numeric % 100, 2) AS amount,
                   sqrt(g)::float8 AS score,
                   DATE '2020-01-01' + (g % 400) AS day,
                   TIMESTAMPTZ '2020-01-01 00:00+00' + g * interval '1 minute' AS at,
                   TIMESTAMP '2020-01-01 00:00' + (g * g) * interval '1 second' AS local_at
            FROM generate_series(1, ROWS) AS g""".replace("ROWS", Integer.toString(ROWS));
    private static String dbName;
    private static Database db;
    private static ProfileService profiles;

    @BeforeAll
    static void start() throws SQLException {
        dbName = TestPostgres.freshDatabase("dea_profile_estimates");
        try (Connection c = TestPostgres.connect(dbName); Statement s = c.createStatement()) {
            // Autovacuum off: the tests decide when there are statistics.
            for (String table : List.of("analysed", "never_analysed", "stale")) {
                s.execute("CREATE TABLE " + table + " WITH (autovacuum_enabled = false) AS " + COLUMNS);
            }
        }
        // A backend's row counters reach shared memory when it exits, and would count as changes made
        // after an ANALYZE run before that: wait for them, as a loader's next session would.
        for (String table : List.of("analysed", "never_analysed", "stale")) {
            awaitModifiedSinceAnalyze(table, ROWS);
        }
        try (Connection c = TestPostgres.connect(dbName); Statement s = c.createStatement()) {
            s.execute("ANALYZE analysed");
            s.execute("ANALYZE stale");
            // Half the rows change after the ANALYZE.
            s.execute("UPDATE stale SET day = day + 1000 WHERE id % 2 = 0");
        }
        awaitModifiedSinceAnalyze("stale", ROWS / 2);
        db = ProfileServiceIT.database(dbName);
        profiles = new ProfileService(db, new SchemaService(db, ESTIMATING, Clock.systemUTC(), new PostgresIntrospector()), ESTIMATING, new PostgresTableProfiler(ESTIMATING, 0));
    }

    @AfterAll
    static void stop() {
        if (db != null) {
            db.close();
        }
        TestPostgres.drop(dbName);
    }

    private static void awaitModifiedSinceAnalyze(String table, long atLeast) throws SQLException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try (Connection c = TestPostgres.connect(dbName); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = '"
                         + table + "'")) {
                if (rs.next() && rs.getLong(1) >= atLeast) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as("n_mod_since_analyze of %s reaches %d", table, atLeast).isLessThan(deadline);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static ColumnProfile column(TableProfile p, String name) {
        return p.column(name).orElseThrow();
    }

    private static long total(List<HistogramBucket> buckets) {
        return buckets.stream().mapToLong(HistogramBucket::count).sum();
    }

    @Test
    void histogramsComeFromPgStatsOnTheExactBucketsAndAddUpToTheExactCount() {
        TableProfile estimated = profiles.profile("analysed");
        TableProfile exact = profiles.profile("analysed", DistributionMode.EXACT);
        assertThat(estimated.note()).contains(PostgresTableProfiler.ESTIMATED_NOTE);
        for (String name : List.of("id", "n", "amount", "score", "day", "at", "local_at")) {
            ColumnProfile e = column(estimated, name);
            ColumnProfile x = column(exact, name);
            assertThat(e.histogramEstimated()).as(name).contains(true);
            List<HistogramBucket> est = e.histogram().orElseThrow();
            List<HistogramBucket> cnt = x.histogram().orElseThrow();
            assertThat(est).as(name).hasSameSizeAs(cnt);
            assertThat(total(est)).as(name).isEqualTo(total(cnt));
            for (int i = 0; i < est.size(); i++) {
                assertThat(est.get(i).bucketStart()).as(name).isEqualTo(cnt.get(i).bucketStart());
                assertThat(est.get(i).bucketEnd()).as(name).isEqualTo(cnt.get(i).bucketEnd());
                // ANALYZE read every row of this table: the estimate is off by interpolation only.
                assertThat(Math.abs(est.get(i).count() - cnt.get(i).count())).as(name + " bucket " + i)
                        .isLessThanOrEqualTo(ROWS / 50);
            }
            // Everything the first pass counts stays exact.
            assertThat(e.nullCount()).isEqualTo(x.nullCount());
            assertThat(e.min()).isEqualTo(x.min());
            assertThat(e.max()).isEqualTo(x.max());
            assertThat(e.mean()).isEqualTo(x.mean());
        }
    }

    @Test
    void topValuesOfAColumnWithFewValuesComeFromTheMostCommonValues() {
        ColumnProfile estimated = column(profiles.profile("analysed"), "grp");
        ColumnProfile exact = column(profiles.profile("analysed", DistributionMode.EXACT), "grp");
        assertThat(estimated.topValuesEstimated()).contains(true);
        assertThat(estimated.distinctCountEstimated()).contains(true);
        assertThat(estimated.distinctCount()).contains(5L);
        // Every row was in ANALYZE's sample, so the shares, and the counts made from them, are exact.
        assertThat(estimated.topValues()).isEqualTo(exact.topValues());
        assertThat(estimated.distinctExamples().orElseThrow()).hasSize(5).allSatisfy(v ->
                assertThat((String) v).startsWith("grp-"));
    }

    @Test
    void exactIsCountedWhenAskedFor() {
        TableProfile exact = profiles.profile("analysed", DistributionMode.EXACT);
        assertThat(exact.note()).isEmpty();
        assertThat(exact.columns()).allSatisfy(c -> {
            assertThat(c.histogramEstimated()).as(c.name()).isEmpty();
            assertThat(c.topValuesEstimated()).as(c.name()).isEmpty();
        });
        assertThat(column(exact, "grp").distinctCountEstimated()).isEmpty();
    }

    @Test
    void withoutStatisticsEverythingIsCounted() {
        assertCounted(profiles.profile("never_analysed"));
    }

    @Test
    void staleStatisticsAreNotUsed() {
        assertCounted(profiles.profile("stale"));
    }

    private static void assertCounted(TableProfile p) {
        assertThat(p.note()).isEqualTo(Optional.empty());
        assertThat(p.columns()).allSatisfy(c -> {
            assertThat(c.histogramEstimated()).as(c.name()).isEmpty();
            assertThat(c.topValuesEstimated()).as(c.name()).isEmpty();
        });
        assertThat(total(column(p, "day").histogram().orElseThrow())).isEqualTo(ROWS);
        assertThat(column(p, "grp").topValues().orElseThrow()).extracting(TopValue::count)
                .containsOnly((long) ROWS / 5);
    }

    @Test
    void everyFixtureRelationProfilesWithEstimatesConsistentWithTheCountedOnes() throws SQLException {
        assertEstimatesConsistentWithCounts(TestPostgres.fixture());
    }

    /** Every populated relation of {@code name}, profiled with estimates forced, keeps the counted statistics. */
    static void assertEstimatesConsistentWithCounts(String name) throws SQLException {
        {
            // Statistics only; the fixtures' rows stay as they are.
            try (Connection c = TestPostgres.connect(name); Statement s = c.createStatement()) {
                s.execute("ANALYZE");
            }
            Database fixture = ProfileServiceIT.database(name);
            try {
                SchemaService schema = new SchemaService(fixture, ESTIMATING, Clock.systemUTC(), new PostgresIntrospector());
                ProfileService service = new ProfileService(fixture, schema, ESTIMATING, new PostgresTableProfiler(ESTIMATING, 0));
                int estimatedHistograms = 0;
                for (var table : schema.schema().tables()) {
                    if (table.populated().isPresent()) {
                        continue;
                    }
                    TableProfile estimated = service.profile(table.qualifiedName());
                    TableProfile exact = service.profile(table.qualifiedName(), DistributionMode.EXACT);
                    assertThat(estimated.rowCount()).as(table.qualifiedName()).isEqualTo(exact.rowCount());
                    for (ColumnProfile e : estimated.columns()) {
                        ColumnProfile x = exact.column(e.name()).orElseThrow();
                        String what = table.qualifiedName() + "." + e.name();
                        assertThat(e.note().orElse("")).as(what).doesNotContain("could not");
                        assertThat(e.nullCount()).as(what).isEqualTo(x.nullCount());
                        assertThat(e.min()).as(what).isEqualTo(x.min());
                        assertThat(e.max()).as(what).isEqualTo(x.max());
                        assertThat(e.histogram().isPresent()).as(what).isEqualTo(x.histogram().isPresent());
                        if (e.histogram().isPresent()) {
                            estimatedHistograms += e.histogramEstimated().isPresent() ? 1 : 0;
                            assertThat(total(e.histogram().get())).as(what).isEqualTo(total(x.histogram().get()));
                            assertThat(e.histogram().get()).extracting(HistogramBucket::bucketStart).as(what)
                                    .isEqualTo(x.histogram().get().stream().map(HistogramBucket::bucketStart).toList());
                        }
                        if (e.topValuesEstimated().isEmpty()) {
                            assertThat(e.topValues()).as(what).isEqualTo(x.topValues());
                        }
                    }
                }
                assertThat(estimatedHistograms).as(name).isPositive();
            } finally {
                fixture.close();
            }
        }
    }
}
