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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The profile of large tables (forced here with a threshold of 0 rows): few statements, exact
 * counts, extremes, moments and histograms, and every estimate labelled.
 */
class ProfileFastPathIT {
    private static final SchemaConfig EXACT = new SchemaConfig(Duration.ofMinutes(5), 100_000_000L, 100_000);
    private static String dbName;
    private static Database db;
    private static ProfileService fast;
    private static ProfileService exact;

    @BeforeAll
    static void start() throws SQLException {
        dbName = TestPostgres.freshDatabase("dea_profile_fast");
        try (Connection c = TestPostgres.connect(dbName); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE wide AS
                    SELECT g::bigint AS id,
                           'grp-' || (g % 5) AS grp,
                           CASE WHEN g % 7 = 0 THEN NULL ELSE g % 40 END AS n,
                           round((g * 0.37)::numeric % 100, 2) AS amount,
                           (g % 1000) / 7.0::float8 AS score,
                           DATE '2020-01-01' + (g % 400) AS day,
                           TIMESTAMPTZ '2020-01-01 00:00+00' + g * interval '1 hour' AS at,
                           (g % 3 = 0) AS flag,
                           'Zoë-' || g AS label,
                           md5(g::text) AS hash
                    FROM generate_series(1, 3000) AS g""");
            s.execute("INSERT INTO wide (id, amount, score, day, label) VALUES "
                    + "(-1, 'NaN', 'Infinity', 'infinity', 'x'), (-2, 'Infinity', 'NaN', '-infinity', 'y')");
            s.execute("ANALYZE wide");
        }
        db = ProfileServiceIT.database(dbName);
        SchemaService schema = new SchemaService(db, EXACT, Clock.systemUTC(), new PostgresIntrospector());
        fast = new ProfileService(db, schema, EXACT, new PostgresTableProfiler(EXACT, 0));
        exact = new ProfileService(db, schema, EXACT, new PostgresTableProfiler(EXACT, Long.MAX_VALUE));
    }

    @AfterAll
    static void stop() {
        if (db != null) {
            db.close();
        }
        TestPostgres.drop(dbName);
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = TestPostgres.connect(dbName); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aLargeTableIsProfiledInAFewStatements() {
        ProfileService.Counted counted = fast.profileCounted("wide");
        // Catalog (2), wide aggregate, its filtered rerun (NaN, infinities, multi-byte text), pg_stats,
        // histograms with the low-cardinality grouping, work_mem + grouping sets, examples.
        assertThat(counted.statements()).isLessThanOrEqualTo(10);
        assertThat(counted.profile().sampled()).isFalse();
        assertThat(counted.profile().rowCount()).isEqualTo(3002);
        // The exact profile of the same table reads it in a similar number of statements, but sorts.
        assertThat(exact.profileCounted("wide").statements()).isLessThanOrEqualTo(8);
    }

    @Test
    void countsExtremesMomentsAndHistogramsAreExactAndAgreeWithTheExactProfile() throws SQLException {
        TableProfile f = fast.profile("wide");
        TableProfile e = exact.profile("wide");
        for (ColumnProfile fc : f.columns()) {
            ColumnProfile ec = e.column(fc.name()).orElseThrow();
            String what = fc.name();
            assertThat(fc.nullCount()).as(what).isEqualTo(ec.nullCount());
            assertThat(fc.min()).as(what).isEqualTo(ec.min());
            assertThat(fc.max()).as(what).isEqualTo(ec.max());
            assertThat(fc.minLength()).as(what).isEqualTo(ec.minLength());
            assertThat(fc.maxLength()).as(what).isEqualTo(ec.maxLength());
            assertThat(fc.avgLength()).as(what).isEqualTo(ec.avgLength());
            if (ec.mean().orElse(null) instanceof Double m) {
                assertThat((Double) fc.mean().orElseThrow()).as(what).isCloseTo(m, within(Math.abs(m) * 1e-5));
                double sd = (Double) ec.stddev().orElseThrow();
                assertThat((Double) fc.stddev().orElseThrow()).as(what).isCloseTo(sd, within(sd * 1e-5));
            } else {
                assertThat(fc.mean()).as(what).isEqualTo(ec.mean());
            }
            if (!fc.kind().equals("float64")) {
                // Floats may fall either side of an edge by rounding: their counts are checked below.
                assertThat(fc.histogram()).as(what).isEqualTo(ec.histogram());
            }
            fc.histogram().ifPresent(h -> assertThat(h.stream().mapToLong(HistogramBucket::count).sum()).as(what)
                    .isEqualTo(ec.histogram().orElseThrow().stream().mapToLong(HistogramBucket::count).sum()));
        }
        assertThat(f.column("amount").orElseThrow().note()).hasValueSatisfying(n -> assertThat(n).contains("NaN or infinite"));
        assertThat(f.column("label").orElseThrow().maxLength())
                .hasValue(count("SELECT max(char_length(label)) FROM wide"));
    }

    @Test
    void estimatesAreLabelledAndLowCardinalityColumnsStayExact() throws SQLException {
        TableProfile p = fast.profile("wide");
        ColumnProfile id = p.column("id").orElseThrow();
        assertThat(id.distinctCountEstimated()).hasValue(true);
        assertThat(id.distinctCount()).hasValueSatisfying(d -> assertThat(d).isBetween(2_500L, 3_002L));
        assertThat(id.quantilesMethod()).hasValue("pg_stats");
        assertThat(id.quantiles()).isPresent();

        ColumnProfile grp = p.column("grp").orElseThrow();
        assertThat(grp.distinctCount()).hasValue(5L);
        assertThat(grp.distinctCountEstimated()).isEmpty();
        assertThat(grp.topValues().orElseThrow()).hasSize(5)
                .contains(new TopValue("grp-0", count("SELECT count(*) FROM wide WHERE grp = 'grp-0'")));
        assertThat(grp.distinctExamples().orElseThrow()).hasSize(5).doesNotHaveDuplicates();

        ColumnProfile n = p.column("n").orElseThrow();
        assertThat(n.distinctCount()).hasValue(count("SELECT count(DISTINCT n) FROM wide"));
        assertThat(n.distinctCountEstimated()).isEmpty();
        assertThat(n.topValues().orElseThrow()).first()
                .satisfies(tv -> assertThat(tv.count()).isEqualTo(count("SELECT max(c) FROM (SELECT count(*) c "
                        + "FROM wide WHERE n IS NOT NULL GROUP BY n) x")));

        ColumnProfile flag = p.column("flag").orElseThrow();
        assertThat(flag.distinctCount()).hasValue(2L);
        assertThat(flag.topValues().orElseThrow()).containsExactly(
                new TopValue(false, count("SELECT count(*) FROM wide WHERE NOT flag")),
                new TopValue(true, count("SELECT count(*) FROM wide WHERE flag")));

        ColumnProfile hash = p.column("hash").orElseThrow();
        assertThat(hash.distinctCountEstimated()).hasValue(true);
        assertThat(hash.topValues()).isEmpty();
        assertThat(hash.distinctExamples().orElseThrow()).hasSize(5).doesNotHaveDuplicates();
        for (Object example : hash.distinctExamples().orElseThrow()) {
            assertThat(count("SELECT count(*) FROM wide WHERE hash = '" + example + "'")).isEqualTo(1);
        }

        // Exact profiles say their quartiles are exact and never carry the estimate label.
        TableProfile e = exact.profile("wide");
        assertThat(e.column("score").orElseThrow().quantilesMethod()).hasValue("exact");
        assertThat(e.columns()).allSatisfy(c -> assertThat(c.distinctCountEstimated()).isEmpty());
    }

    @Test
    void everyFixtureRelationProfilesOnTheFastPathLikeOnTheExactOne() {
        assertFastPathLikeExact(TestPostgres.fixture());
    }

    /** Every populated relation of {@code name} profiles on the fast path with the exact path's statistics. */
    static void assertFastPathLikeExact(String name) {
        Database pagilaDb = ProfileServiceIT.database(name);
        try {
            SchemaService schema = new SchemaService(pagilaDb, EXACT, Clock.systemUTC(), new PostgresIntrospector());
            ProfileService pagilaFast = new ProfileService(pagilaDb, schema, EXACT, new PostgresTableProfiler(EXACT, 0));
            ProfileService pagilaExact = new ProfileService(pagilaDb, schema, EXACT, new PostgresTableProfiler(EXACT, Long.MAX_VALUE));
            for (var table : schema.schema().tables()) {
                if (table.populated().isPresent()) {
                    continue;
                }
                ProfileService.Counted counted = pagilaFast.profileCounted(table.qualifiedName());
                TableProfile e = pagilaExact.profile(table.qualifiedName());
                String what = table.qualifiedName();
                assertThat(counted.statements()).as(what).isLessThanOrEqualTo(12);
                assertThat(counted.profile().rowCount()).as(what).isEqualTo(e.rowCount());
                for (ColumnProfile fc : counted.profile().columns()) {
                    ColumnProfile ec = e.column(fc.name()).orElseThrow();
                    assertThat(fc.nullCount()).as(what + "." + fc.name()).isEqualTo(ec.nullCount());
                    assertThat(fc.min()).as(what + "." + fc.name()).isEqualTo(ec.min());
                    assertThat(fc.max()).as(what + "." + fc.name()).isEqualTo(ec.max());
                    assertThat(fc.maxLength()).as(what + "." + fc.name()).isEqualTo(ec.maxLength());
                    if (fc.distinctCountEstimated().isEmpty()) {
                        assertThat(fc.distinctCount()).as(what + "." + fc.name()).isEqualTo(ec.distinctCount());
                    }
                    if (!fc.kind().equals("float64")) {
                        assertThat(fc.histogram()).as(what + "." + fc.name()).isEqualTo(ec.histogram());
                    }
                }
            }
        } finally {
            pagilaDb.close();
        }
    }
}
