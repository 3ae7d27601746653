package dev.dea.profile;

import dev.dea.profile.postgresql.PostgresTableProfiler;
import dev.dea.schema.postgresql.PostgresIntrospector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import dev.dea.config.DbConfig;
import dev.dea.config.SchemaConfig;
import dev.dea.config.SqlLimits;
import dev.dea.db.Database;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.schema.SchemaService;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.dea.profile.ProfileServiceIT.SqlCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Types that cannot be ordered, averaged or compared, non-finite values, odd names: a profile never fails. */
class ProfileExoticTypesIT {
    private static final SchemaConfig EXACT = new SchemaConfig(Duration.ofMinutes(5), 10_000_000, 10_000);
    private static final String ROLE = "dea_it_profiler_" + Long.toHexString(System.nanoTime());
    private static String dbName;
    private static Database db;
    private static SchemaService schema;
    private static ProfileService profiles;

    @BeforeAll
    static void createTables() throws SQLException {
        dbName = TestPostgres.freshDatabase("dea_it_profile");
        try (Connection c = TestPostgres.connect(dbName); Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
                    CREATE TYPE pair AS (a int, b text);
                    CREATE DOMAIN posint AS int CHECK (VALUE > 0);
                    CREATE DOMAIN small_posint AS posint CHECK (VALUE < 1000);
                    CREATE DOMAIN price AS numeric(10,2) CHECK (VALUE > 0);
                    CREATE TABLE exotic (
                      id serial PRIMARY KEY, doc json, docb jsonb, x xml, p point, u uuid, ip inet, r int4range,
                      iv interval, t time, m money, f float8, n numeric, d date, ts timestamp, tstz timestamptz,
                      c pair, moods mood[], nested small_posint, prices price[], cost price, bits bit(3), flag boolean,
                      b bytea, "select" text, "We""ird col" text, tiny real, big bigint, ch char(3), tq tsquery,
                      net cidr, area box);
                    INSERT INTO exotic (doc, docb, x, p, u, ip, r, iv, t, m, f, n, d, ts, tstz, c, moods, nested,
                                        prices, cost, bits, b, "select", "We""ird col", tiny, big, ch, tq, net, area)
                    SELECT json_build_object('k', g % 7, 'arr', json_build_array(g)),
                           jsonb_build_object('k', g % 7),
                           xmlparse(content '<a>' || g % 3 || '</a>'),
                           point(g, g % 5),
                           md5(g::text)::uuid,
                           ('10.0.0.' || g % 10)::inet,
                           int4range(g, g + 10),
                           (g || ' minutes')::interval,
                           time '00:00' + g * interval '1 minute',
                           (g % 20)::money,
                           CASE g % 50 WHEN 0 THEN 'NaN'::float8 WHEN 1 THEN 'Infinity'::float8 ELSE g / 3.0 END,
                           CASE g % 40 WHEN 0 THEN 'NaN'::numeric WHEN 1 THEN '-Infinity'::numeric ELSE g * 1.5 END,
                           CASE WHEN g = 5 THEN 'infinity'::date ELSE date '2020-01-01' + g END,
                           CASE WHEN g = 7 THEN '-infinity'::timestamp ELSE timestamp '2021-06-01 12:00' + g * interval '1 hour' END,
                           timestamptz '2022-01-01 00:00:00+00' + g * interval '1 day',
                           ROW(g % 4, 'x')::pair,
                           CASE g % 3 WHEN 0 THEN ARRAY['sad', 'happy']::mood[] ELSE ARRAY['ok']::mood[] END,
                           g % 999 + 1,
                           ARRAY[(g % 9 + 1)::price],
                           (g % 9 + 1)::price,
                           (g % 8)::bit(3),
                           decode(md5(g::text), 'hex'),
                           'v' || g % 3,
                           repeat('x', 300) || (g % 2),
                           g / 7.0,
                           CASE g WHEN 1 THEN -9223372036854775808 WHEN 2 THEN 9223372036854775807 ELSE g END,
                           chr(65 + g % 3),
                           to_tsquery('simple', 'a & b' || g % 2),
                           ('10.' || g % 4 || '.0.0/16')::cidr,
                           box(point(0, 0), point(g, g))
                    FROM generate_series(1, 200) g;
                    CREATE TABLE "We""ird Table" ("select" int, "from" text);
                    INSERT INTO "We""ird Table" VALUES (1, 'a'), (2, 'a'), (NULL, NULL);
                    CREATE TABLE empty_one (id int, name text, at timestamptz);
                    CREATE TABLE no_columns ();
                    CREATE TABLE overflowing (id int, huge float8, label text);
                    INSERT INTO overflowing VALUES (1, 1.7e308, 'a'), (2, 1.7e308, 'a'), (3, NULL, 'b');
                    CREATE VIEW exotic_view AS SELECT id, doc, f FROM exotic;
                    CREATE TABLE big AS SELECT g AS id, g % 100 AS bucket FROM generate_series(1, 1100000) g;
                    ANALYZE big;
                    """);
        }
        db = database(TestPostgres.config(dbName));
        schema = new SchemaService(db, EXACT, Clock.systemUTC(), new PostgresIntrospector());
        profiles = new ProfileService(db, schema, EXACT, new PostgresTableProfiler(EXACT));
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
        TestPostgres.drop(dbName);
        try (Connection c = TestPostgres.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS " + ROLE);
        }
    }

    static Database database(DbConfig config) {
        return new Database(config, new SqlLimits(Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofSeconds(120),
                10_000, 1_000, 100, Set.of(), Set.of()));
    }

    private static ColumnProfile column(TableProfile p, String name) {
        return p.column(name).orElseThrow(() -> new AssertionError("no column " + name));
    }

    private static long count(String sql) {
        return SqlCount.of(dbName, sql);
    }

    @Test
    void everyExoticColumnProfilesAndSerialisesAsStrictJson() throws Exception {
        TableProfile p = profiles.profile("exotic");
        assertThat(p.rowCount()).isEqualTo(200);
        assertThat(p.columns()).hasSize(32).allSatisfy(c -> assertThat(c.nullCount()).as(c.name()).isPresent());
        // A strict parser (no NaN/Infinity tokens) reads what a default mapper writes.
        ObjectMapper plain = new ObjectMapper().registerModule(new Jdk8Module());
        String json = plain.writeValueAsString(p);
        assertThat(plain.readTree(json).get("columns").size()).isEqualTo(32);
        assertThat(json).doesNotContainPattern("[:\\[,]\\s*-?(NaN|Infinity)");
    }

    @Test
    void typesWithoutEqualityCountDistinctTextFormsAndSaySo() {
        TableProfile p = profiles.profile("exotic");
        ColumnProfile doc = column(p, "doc");
        assertThat(doc.kind()).isEqualTo("json");
        assertThat(doc.distinctCount()).hasValue(count("SELECT count(DISTINCT doc::text) FROM exotic"));
        assertThat(doc.note()).hasValueSatisfying(n -> assertThat(n).contains("no ordering", "bytes"));
        assertThat(doc.maxLength()).hasValue(count("SELECT max(octet_length(doc::text)) FROM exotic"));
        assertThat(doc.distinctExamples().orElseThrow()).hasSize(5);
        assertThat(column(p, "docb").distinctCount()).hasValue(7L);
        assertThat(column(p, "docb").topValues().orElseThrow()).hasSize(7);
        for (String name : List.of("x", "p", "c", "area")) {
            ColumnProfile col = column(p, name);
            assertThat(col.note()).as(name).hasValueSatisfying(n -> assertThat(n).contains("no ordering"));
            assertThat(col.distinctCount()).as(name).isPresent();
            assertThat(col.min()).as(name).isEmpty();
        }
        assertThat(column(p, "c").distinctCount()).hasValue(4L);
        assertThat(column(p, "x").topValues().orElseThrow()).hasSize(3);
    }

    @Test
    void nonFiniteValuesAreCountedButKeptOutOfNumericStatistics() {
        TableProfile p = profiles.profile("exotic");
        ColumnProfile f = column(p, "f");
        assertThat(f.kind()).isEqualTo("float64");
        assertThat(f.note()).hasValueSatisfying(n -> assertThat(n).startsWith("8 NaN or infinite"));
        assertThat(f.max()).hasValue(199 / 3.0);
        assertThat(f.histogram().orElseThrow().stream().mapToLong(HistogramBucket::count).sum()).isEqualTo(192);
        assertThat(f.mean().orElseThrow()).isInstanceOf(Double.class);

        ColumnProfile n = column(p, "n");
        assertThat(n.note()).hasValueSatisfying(s -> assertThat(s).startsWith("10 NaN or infinite"));
        assertThat(n.min()).hasValue("3.0");
        assertThat(n.histogram().orElseThrow().stream().mapToLong(HistogramBucket::count).sum()).isEqualTo(190);

        ColumnProfile d = column(p, "d");
        assertThat(d.note()).hasValueSatisfying(s -> assertThat(s).startsWith("1 infinite"));
        assertThat(d.max()).hasValue("2020-07-19");
        assertThat(d.histogram().orElseThrow().get(0).bucketStart()).isEqualTo("2020-01-02");
        assertThat(d.histogram().orElseThrow().stream().mapToLong(HistogramBucket::count).sum()).isEqualTo(199);
        ColumnProfile ts = column(p, "ts");
        assertThat(ts.min()).hasValue("2021-06-01T13:00:00");
        assertThat(ts.histogram().orElseThrow().stream().mapToLong(HistogramBucket::count).sum()).isEqualTo(199);
    }

    @Test
    void extremeIntegersDomainsAndArraysGetTheirBaseTypesStatistics() {
        TableProfile p = profiles.profile("exotic");
        ColumnProfile big = column(p, "big");
        assertThat(big.min()).hasValue(Long.MIN_VALUE);
        assertThat(big.max()).hasValue(Long.MAX_VALUE);
        assertThat(big.histogram().orElseThrow().stream().mapToLong(HistogramBucket::count).sum()).isEqualTo(200);

        ColumnProfile nested = column(p, "nested");
        assertThat(nested.type()).isEqualTo("small_posint");
        assertThat(nested.kind()).isEqualTo("int64");
        assertThat(nested.max()).hasValue(201L);
        assertThat(nested.quantiles()).isPresent();
        ColumnProfile cost = column(p, "cost");
        assertThat(cost.kind()).isEqualTo("decimal");
        assertThat(cost.min()).hasValue("1.00");
        assertThat(cost.topValues().orElseThrow()).hasSize(9);

        ColumnProfile prices = column(p, "prices");
        assertThat(prices.kind()).isEqualTo("array");
        assertThat(prices.type()).isEqualTo("price[]");
        assertThat(prices.maxLength()).hasValue(1L);
        ColumnProfile moods = column(p, "moods");
        assertThat(moods.topValues().orElseThrow()).extracting(TopValue::value)
                .containsExactly("{ok}", "{sad,happy}");
        assertThat(column(p, "t").min()).hasValue("00:01:00");
        assertThat(column(p, "iv").max()).hasValue("03:20:00");
        assertThat(column(p, "m").kind()).isEqualTo("string");
        assertThat(column(p, "flag").nullCount()).hasValue(200L);
        assertThat(column(p, "flag").topValues()).isEmpty();
        assertThat(column(p, "tstz").histogram().orElseThrow().get(0).bucketStart()).isEqualTo("2022-01-02T00:00:00Z");
        // As /execute prints them (the types' output), not as their casts to text do (10.0.0.3/32).
        assertThat(column(p, "ip").topValues().orElseThrow()).extracting(TopValue::value)
                .allSatisfy(v -> assertThat((String) v).matches("10\\.0\\.0\\.\\d"));
        assertThat(column(p, "net").topValues().orElseThrow()).extracting(TopValue::value)
                .allSatisfy(v -> assertThat((String) v).matches("10\\.\\d\\.0\\.0/16"));
    }

    @Test
    void longValuesAreCutAndUniqueColumnsShowExamplesOnly() {
        TableProfile p = profiles.profile("exotic");
        ColumnProfile weird = column(p, "We\"ird col");
        assertThat(weird.topValues().orElseThrow()).hasSize(2).allSatisfy(tv -> {
            assertThat((String) tv.value()).hasSize(201).endsWith("…");
            assertThat(tv.count()).isEqualTo(100);
        });
        assertThat(weird.maxLength()).hasValue(301L);
        ColumnProfile u = column(p, "u");
        assertThat(u.topValues()).isEmpty();
        assertThat(u.distinctExamples().orElseThrow()).hasSize(5)
                .allSatisfy(v -> assertThat((String) v).matches("[0-9a-f-]{36}"));
        assertThat(column(p, "select").topValues().orElseThrow()).extracting(TopValue::count).containsOnly(67L, 67L, 66L);
    }

    @Test
    void oddNamesEmptyTablesAndTablesWithoutColumnsProfile() {
        TableProfile weird = profiles.profile("\"We\"\"ird Table\"");
        assertThat(weird.tableName()).isEqualTo("public.\"We\"\"ird Table\"");
        assertThat(weird.rowCount()).isEqualTo(3);
        assertThat(column(weird, "select").nullCount()).hasValue(1L);
        assertThat(column(weird, "from").topValues().orElseThrow()).containsExactly(new TopValue("a", 2));

        TableProfile empty = profiles.profile("empty_one");
        assertThat(empty.rowCount()).isZero();
        assertThat(empty.columns()).allSatisfy(c -> {
            assertThat(c.nullCount()).hasValue(0L);
            assertThat(c.min()).isEmpty();
            assertThat(c.histogram()).isEmpty();
        });
        TableProfile none = profiles.profile("no_columns");
        assertThat(none.columns()).isEmpty();
        assertThat(none.rowCount()).isZero();
    }

    @Test
    void aStatisticTheDatabaseRefusesCostsOnlyThatColumnsStatistics() {
        // avg() of two values near the float8 maximum overflows: PostgreSQL raises an error.
        TableProfile p = profiles.profile("overflowing");
        ColumnProfile huge = column(p, "huge");
        assertThat(huge.nullCount()).hasValue(1L);
        assertThat(huge.note()).hasValueSatisfying(n -> assertThat(n).contains("could not be computed", "overflow"));
        assertThat(huge.mean()).isEmpty();
        assertThat(column(p, "id").max()).hasValue(3L);
        assertThat(column(p, "id").histogram()).isPresent();
        assertThat(column(p, "label").topValues().orElseThrow()).containsExactly(new TopValue("a", 2));
    }

    @Test
    void viewsAreProfiledExactlyBelowTheThresholdOrWhenTheLimitReadsEveryRow() {
        TableProfile view = profiles.profile("exotic_view");
        assertThat(view.kind()).isEqualTo("view");
        assertThat(view.sampled()).isFalse();
        assertThat(view.rowCount()).isEqualTo(200);
        assertThat(column(view, "f").note()).isPresent();

        // Above the threshold, but the view has fewer rows than the LIMIT: every row was read.
        SchemaConfig sampling = new SchemaConfig(Duration.ofMinutes(5), 50, 500);
        TableProfile limited = new ProfileService(db, schema, sampling, new PostgresTableProfiler(sampling)).profile("exotic_view");
        assertThat(limited.sampled()).isFalse();
        assertThat(limited.sample()).isEmpty();
        assertThat(limited.rowCount()).isEqualTo(200);
    }

    @Test
    void largeTablesAreSampledByBlocksWithAnExtrapolatedRowCount() {
        SchemaConfig sampling = new SchemaConfig(Duration.ofMinutes(5), 100_000, 10_000);
        TableProfile big = new ProfileService(db, schema, sampling, new PostgresTableProfiler(sampling)).profile("big");
        assertThat(big.sampled()).isTrue();
        SampleInfo sample = big.sample().orElseThrow();
        assertThat(sample.method()).isEqualTo("SYSTEM");
        assertThat(sample.percent()).hasValueSatisfying(pct -> assertThat(pct).isCloseTo(0.9091, org.assertj.core.data.Offset.offset(0.001)));
        assertThat(sample.rowsScanned()).isBetween(3_000L, 30_000L);
        assertThat(big.rowCount()).isBetween(700_000L, 1_500_000L);
        assertThat(column(big, "bucket").topValues().orElseThrow()).hasSize(10);
        assertThat(column(big, "bucket").distinctCount()).hasValue(100L);
    }

    @Test
    void aTableDroppedSinceTheSchemaWasCachedIsNotFound() throws SQLException {
        try (Connection c = TestPostgres.connect(dbName); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE short_lived (id int)");
        }
        SchemaService fresh = new SchemaService(db, EXACT, Clock.systemUTC(), new PostgresIntrospector());
        ProfileService service = new ProfileService(db, fresh, EXACT, new PostgresTableProfiler(EXACT));
        assertThat(service.profile("short_lived").rowCount()).isZero();
        try (Connection c = TestPostgres.connect(dbName); Statement s = c.createStatement()) {
            s.execute("DROP TABLE short_lived");
        }
        assertThatThrownBy(() -> service.profile("short_lived"))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.type()).isEqualTo(ErrorType.NOT_FOUND);
                    assertThat(e.getMessage()).contains("public.short_lived", "no longer exists");
                });
    }

    @Test
    void aRoleWithColumnGrantsProfilesOnlyTheColumnsItCanRead() throws SQLException {
        try (Connection c = TestPostgres.connect(dbName); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + ROLE + " NOLOGIN");
            s.execute("GRANT SELECT (id, \"select\") ON exotic TO " + ROLE);
        }
        DbConfig base = TestPostgres.config(dbName);
        DbConfig restricted = new DbConfig(base.dialect(), base.host(), base.port(), base.user(), base.password(),
                base.name(), base.sslMode(), Optional.of(ROLE), base.searchPath(), 2, base.allowPrivilegedLogin());
        try (Database limited = database(restricted)) {
            SchemaService limitedSchema = new SchemaService(limited, EXACT, Clock.systemUTC(), new PostgresIntrospector());
            TableProfile p = new ProfileService(limited, limitedSchema, EXACT, new PostgresTableProfiler(EXACT)).profile("exotic");
            assertThat(p.columns()).extracting(ColumnProfile::name).containsExactly("id", "select");
            assertThat(p.rowCount()).isEqualTo(200);
        }
    }
}
