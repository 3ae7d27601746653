package dev.dea.profile;

import dev.dea.profile.postgresql.PostgresTableProfiler;
import dev.dea.schema.postgresql.PostgresIntrospector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.config.SchemaConfig;
import dev.dea.config.SqlLimits;
import dev.dea.db.Database;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.frame.FrameJson;
import dev.dea.schema.SchemaService;
import dev.dea.schema.TableInfo;
import dev.dea.schema.TableKind;
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
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Profiles of the generated fixture (fixture/fixture.sql): a Pagila-shaped store in public, a Chinook-shaped one in music. */
class ProfileServiceIT {
    static final SchemaConfig EXACT = new SchemaConfig(Duration.ofMinutes(5), 1_000_000, 10_000);
    private static Database fixtureDb;
    private static ProfileService fixture;
    private static SchemaService fixtureSchema;

    @BeforeAll
    static void start() {
        fixtureDb = database(TestPostgres.fixture());
        fixtureSchema = new SchemaService(fixtureDb, EXACT, Clock.systemUTC(), new PostgresIntrospector());
        fixture = new ProfileService(fixtureDb, fixtureSchema, EXACT, new PostgresTableProfiler(EXACT));
    }

    @AfterAll
    static void stop() {
        fixtureDb.close();
    }

    static Database database(String name) {
        return new Database(TestPostgres.config(name), new SqlLimits(Duration.ofSeconds(60), Duration.ofSeconds(5),
                Duration.ofSeconds(120), 10_000, 1_000, 100, Set.of(), Set.of()));
    }

    /** count(*), null count, distinct count, min and max of one column, straight from SQL. */
    record Truth(long rows, long nulls, long distinct, Object min, Object max) {
    }

    static Truth truth(String db, String table, String column, String kind) throws SQLException {
        String col = Database.quoteIdent(column);
        String sql = "SELECT count(*), count(*) - count(" + col + "), count(DISTINCT " + col + "), min(" + col + "), max("
                + col + ") FROM " + table;
        try (Connection c = TestPostgres.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            Object min = rs.getObject(4);
            Object max = rs.getObject(5);
            if (kind.equals("timestamptz")) {
                min = rs.getObject(4, OffsetDateTime.class).toInstant();
                max = rs.getObject(5, OffsetDateTime.class).toInstant();
            } else if (min != null && kind.equals("timestamp")) {
                min = rs.getTimestamp(4).toLocalDateTime().format(ISO_LOCAL_DATE_TIME);
                max = rs.getTimestamp(5).toLocalDateTime().format(ISO_LOCAL_DATE_TIME);
            } else if (min != null && !kind.equals("text")) {
                min = min.toString();
                max = max.toString();
            }
            return new Truth(rs.getLong(1), rs.getLong(2), rs.getLong(3), min, max);
        }
    }

    static void assertMatchesSql(ProfileService service, String db, String table, String column, String kind)
            throws SQLException {
        TableProfile profile = service.profile(table);
        ColumnProfile p = profile.column(column).orElseThrow();
        Truth t = truth(db, table, column, kind);
        String what = table + "." + column;
        assertThat(profile.sampled()).isFalse();
        assertThat(profile.rowCount()).as(what).isEqualTo(t.rows());
        assertThat(p.nullCount()).as(what).hasValue(t.nulls());
        assertThat(p.distinctCount()).as(what).hasValue(t.distinct());
        switch (kind) {
            case "text" -> assertThat(p.min()).as(what).isEmpty();
            case "timestamptz" -> {
                assertThat(OffsetDateTime.parse((String) p.min().orElseThrow()).toInstant()).as(what).isEqualTo(t.min());
                assertThat(OffsetDateTime.parse((String) p.max().orElseThrow()).toInstant()).as(what).isEqualTo(t.max());
            }
            default -> {
                assertThat(p.min().map(String::valueOf)).as(what).hasValue((String) t.min());
                assertThat(p.max().map(String::valueOf)).as(what).hasValue((String) t.max());
            }
        }
    }

    @Test
    void statisticsMatchExactSql() throws SQLException {
        String db = TestPostgres.fixture();
        assertMatchesSql(fixture, db, "film", "film_id", "int");
        assertMatchesSql(fixture, db, "film", "rental_rate", "numeric");
        assertMatchesSql(fixture, db, "film", "replacement_cost", "numeric");
        assertMatchesSql(fixture, db, "film", "length", "int");
        assertMatchesSql(fixture, db, "film", "title", "text");
        assertMatchesSql(fixture, db, "film", "release_year", "int");
        assertMatchesSql(fixture, db, "film", "last_update", "timestamptz");
        assertMatchesSql(fixture, db, "customer", "create_date", "date");
        assertMatchesSql(fixture, db, "customer", "email", "text");
        assertMatchesSql(fixture, db, "address", "address2", "text");
        assertMatchesSql(fixture, db, "rental", "return_date", "timestamptz");
        assertMatchesSql(fixture, db, "payment", "amount", "numeric");
        assertMatchesSql(fixture, db, "payment", "payment_date", "timestamptz");
        assertMatchesSql(fixture, db, "payment_p2022_02", "customer_id", "int");
        assertMatchesSql(fixture, db, "music.track", "milliseconds", "int");
        assertMatchesSql(fixture, db, "music.track", "unit_price", "numeric");
        assertMatchesSql(fixture, db, "music.track", "composer", "text");
        assertMatchesSql(fixture, db, "music.invoice", "invoice_date", "timestamp");
        assertMatchesSql(fixture, db, "music.invoice", "billing_state", "text");
        assertMatchesSql(fixture, db, "music.invoice", "total", "numeric");
        assertMatchesSql(fixture, db, "music.customer", "company", "text");
        assertMatchesSql(fixture, db, "music.employee", "birth_date", "timestamp");
    }

    @Test
    void statisticsAreTheValuesTheGeneratorWrote() {
        // fixture.sql: rental_rate cycles 0.99, 2.99, 4.99; release_year is 2000 + g % 23, NULL on every 50th film;
        // return_date is NULL on every 16th rental; composer on every 4th track.
        TableProfile film = fixture.profile("film");
        assertThat(film.rowCount()).isEqualTo(1000);
        ColumnProfile rate = film.column("rental_rate").orElseThrow();
        assertThat(rate.distinctCount()).hasValue(3L);
        assertThat(rate.min().map(String::valueOf)).hasValue("0.99");
        assertThat(rate.max().map(String::valueOf)).hasValue("4.99");
        ColumnProfile year = film.column("release_year").orElseThrow();
        assertThat(year.nullCount()).hasValue(20L);
        assertThat(year.distinctCount()).hasValue(23L);
        assertThat(year.min().map(String::valueOf)).hasValue("2000");
        assertThat(year.max().map(String::valueOf)).hasValue("2022");
        assertThat(fixture.profile("rental").column("return_date").orElseThrow().nullCount()).hasValue(1000L);
        assertThat(fixture.profile("music.track").column("composer").orElseThrow().nullCount()).hasValue(875L);
        assertThat(fixture.profile("payment").rowCount()).isEqualTo(16000);
    }

    @Test
    void nullsOfTypesWithoutAKindOfTheirOwnAreNotCountedAsAValue() {
        // all_kinds is NULL on every tenth of its 1000 rows; 900 distinct values in each of these columns.
        ProfileService fast = new ProfileService(fixtureDb, fixtureSchema, EXACT, new PostgresTableProfiler(EXACT, 0));
        ProfileService exact = new ProfileService(fixtureDb, fixtureSchema, EXACT, new PostgresTableProfiler(EXACT, Long.MAX_VALUE));
        for (ProfileService service : List.of(fast, exact)) {
            TableProfile kinds = service.profile("all_kinds");
            for (String name : List.of("iv", "uid", "ip", "rng", "cash")) {
                ColumnProfile column = kinds.column(name).orElseThrow();
                assertThat(column.nullCount()).as(name).hasValue(100L);
                assertThat(column.distinctCount()).as(name).hasValue(900L);
                assertThat(column.topValues().orElse(List.of())).as(name).extracting(TopValue::value).doesNotContain("");
                assertThat(column.distinctExamples().orElse(List.of())).as(name).doesNotContain("").isNotEmpty();
            }
        }
    }

    @Test
    void numericColumnsGetMomentsQuartilesAndTopValuesFromSql() throws SQLException {
        ColumnProfile rate = fixture.profile("public.film").column("rental_rate").orElseThrow();
        assertThat(rate.kind()).isEqualTo("decimal");
        assertThat(rate.type()).isEqualTo("numeric(4,2)");
        try (Connection c = TestPostgres.connect(TestPostgres.fixture()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT avg(rental_rate)::float8, stddev_samp(rental_rate)::float8, "
                     + "(percentile_disc(0.5) WITHIN GROUP (ORDER BY rental_rate))::text FROM film")) {
            rs.next();
            // Means and spreads are rounded to six significant digits.
            assertThat((Double) rate.mean().orElseThrow()).isCloseTo(rs.getDouble(1), within(1e-5));
            assertThat((Double) rate.stddev().orElseThrow()).isCloseTo(rs.getDouble(2), within(1e-5));
            assertThat(rate.quantiles().orElseThrow().p50()).isEqualTo(rs.getString(3));
        }
        Map<Object, Long> expected = new LinkedHashMap<>();
        try (Connection c = TestPostgres.connect(TestPostgres.fixture()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT rental_rate::text, count(*) FROM film GROUP BY 1 ORDER BY 2 DESC, 1")) {
            while (rs.next()) {
                expected.put(rs.getString(1), rs.getLong(2));
            }
        }
        Map<Object, Long> actual = new LinkedHashMap<>();
        rate.topValues().orElseThrow().forEach(tv -> actual.put(tv.value(), tv.count()));
        assertThat(actual).containsExactlyEntriesOf(expected);
    }

    @Test
    void enumAndBooleanColumnsListEveryValueWithItsCount() throws SQLException {
        ColumnProfile rating = fixture.profile("film").column("rating").orElseThrow();
        assertThat(rating.kind()).isEqualTo("string");
        assertThat(rating.topValues().orElseThrow()).hasSize(5)
                .extracting(TopValue::value).containsExactlyInAnyOrder("G", "PG", "PG-13", "R", "NC-17");
        assertThat(rating.topValues().orElseThrow().stream().mapToLong(TopValue::count).sum())
                .isEqualTo(1000 - rating.nullCount().orElseThrow());
        assertThat(rating.histogram()).isEmpty();

        ColumnProfile active = fixture.profile("customer").column("activebool").orElseThrow();
        assertThat(active.kind()).isEqualTo("bool");
        long trues = SqlCount.of(TestPostgres.fixture(), "SELECT count(*) FROM customer WHERE activebool");
        assertThat(active.topValues().orElseThrow()).contains(new TopValue(true, trues));
    }

    @Test
    void uniqueTextColumnsShowExamplesThatExistButNoTopValues() throws SQLException {
        ColumnProfile title = fixture.profile("film").column("title").orElseThrow();
        assertThat(title.topValues()).isEmpty();
        assertThat(title.distinctExamples().orElseThrow()).hasSize(5);
        for (Object example : title.distinctExamples().orElseThrow()) {
            assertThat(SqlCount.of(TestPostgres.fixture(), "SELECT count(*) FROM film WHERE title = '"
                    + ((String) example).replace("'", "''") + "'")).isEqualTo(1);
        }
        assertThat(title.minLength()).hasValue(SqlCount.of(TestPostgres.fixture(), "SELECT min(length(title)) FROM film"));
        assertThat(title.maxLength()).hasValue(SqlCount.of(TestPostgres.fixture(), "SELECT max(length(title)) FROM film"));

        ColumnProfile district = fixture.profile("address").column("district").orElseThrow();
        assertThat(district.topValues().orElseThrow()).hasSizeLessThanOrEqualTo(10).isNotEmpty();
        assertThat(district.topValues().orElseThrow()).extracting(TopValue::count).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(district.distinctExamples().orElseThrow()).hasSize(5).doesNotHaveDuplicates();
    }

    @Test
    void everyColumnOfEveryRelationProfilesWithoutError() {
        List<String> profiled = new ArrayList<>();
        for (TableInfo table : fixtureSchema.schema().tables()) {
            TableProfile profile = fixture.profile(table.qualifiedName());
            assertThat(profile.tableName()).isEqualTo(table.qualifiedName());
            assertThat(profile.columns()).extracting(ColumnProfile::name)
                    .containsExactlyElementsOf(table.columns().stream().map(c -> c.name()).toList());
            if (table.populated().isEmpty()) {
                assertThat(profile.columns()).as(table.qualifiedName()).allSatisfy(c -> assertThat(c.nullCount()).isPresent());
            } else {
                assertThat(profile.note()).hasValueSatisfying(n -> assertThat(n).contains("not been populated"));
            }
            profiled.add(table.name());
        }
        assertThat(profiled).contains("film", "staff", "payment", "actor_info", "rental_by_category", "all_kinds");
        for (String table : List.of("album", "artist", "customer", "employee", "genre", "invoice", "invoice_line",
                "media_type", "playlist", "playlist_track", "track")) {
            assertThat(fixture.profile("music." + table).columns()).as(table).isNotEmpty()
                    .allSatisfy(c -> assertThat(c.nullCount()).isPresent());
        }

        TableProfile film = fixture.profile("film");
        ColumnProfile fulltext = film.column("fulltext").orElseThrow();
        assertThat(fulltext.note()).hasValueSatisfying(n -> assertThat(n).contains("tsvector"));
        assertThat(fulltext.minLength()).isPresent();
        assertThat(fulltext.topValues()).isEmpty();
        assertThat(fulltext.min()).isEmpty();
        ColumnProfile features = film.column("special_features").orElseThrow();
        assertThat(features.kind()).isEqualTo("array");
        assertThat(features.maxLength()).hasValue(4L);
        assertThat(features.topValues().orElseThrow()).isNotEmpty();
        assertThat(features.distinctCount()).hasValue(SqlCount.of(TestPostgres.fixture(),
                "SELECT count(DISTINCT special_features) FROM film"));
        ColumnProfile picture = fixture.profile("staff").column("picture").orElseThrow();
        assertThat(picture.kind()).isEqualTo("bytes");
        assertThat(picture.note()).hasValueSatisfying(n -> assertThat(n).contains("bytea"));
        assertThat(picture.topValues()).isEmpty();
        assertThat(picture.distinctExamples()).isEmpty();

        TableProfile payment = fixture.profile("payment");
        assertThat(payment.kind()).isEqualTo(TableKind.PARTITIONED_TABLE.wireName());
        assertThat(payment.rowCount()).isEqualTo(SqlCount.of(TestPostgres.fixture(), "SELECT count(*) FROM payment"));
    }

    @Test
    void histogramCountsSumToTheNonNullCountInExactMode() {
        int histograms = 0;
        for (String table : List.of("film", "payment", "rental", "customer", "inventory")) {
            TableProfile profile = fixture.profile(table);
            for (ColumnProfile column : profile.columns()) {
                if (column.histogram().isPresent()) {
                    histograms++;
                    List<HistogramBucket> buckets = column.histogram().get();
                    assertThat(buckets).as(table + "." + column.name()).hasSizeBetween(1, 10);
                    long sum = buckets.stream().mapToLong(HistogramBucket::count).sum();
                    assertThat(sum).as(table + "." + column.name())
                            .isEqualTo(profile.rowCount() - column.nullCount().orElseThrow());
                    assertThat(buckets.get(0).bucketStart()).isEqualTo(
                            column.kind().equals("decimal") ? Double.parseDouble((String) column.min().orElseThrow())
                                    : column.min().orElseThrow());
                }
            }
        }
        assertThat(histograms).isGreaterThan(10);
        ColumnProfile date = fixture.profile("rental").column("rental_date").orElseThrow();
        assertThat((String) date.histogram().orElseThrow().get(0).bucketStart()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    }

    @Test
    void samplingKicksInAboveTheThresholdAndSaysSo() {
        SchemaConfig tiny = new SchemaConfig(Duration.ofMinutes(5), 100, 300);
        ProfileService sampling = new ProfileService(fixtureDb, fixtureSchema, tiny, new PostgresTableProfiler(tiny));

        TableProfile film = sampling.profile("film");
        assertThat(film.sampled()).isTrue();
        SampleInfo sample = film.sample().orElseThrow();
        assertThat(sample.method()).isEqualTo("BERNOULLI");
        assertThat(sample.percent()).hasValueSatisfying(p -> assertThat(p).isBetween(5.0, 100.0));
        assertThat(sample.rowsScanned()).isBetween(100L, 700L);
        assertThat(film.rowCount()).isBetween(500L, 2_000L);
        ColumnProfile id = film.column("film_id").orElseThrow();
        assertThat(id.histogram().orElseThrow().stream().mapToLong(HistogramBucket::count).sum())
                .isEqualTo(sample.rowsScanned());

        // TABLESAMPLE on a partitioned parent samples every partition.
        TableProfile payment = sampling.profile("payment");
        assertThat(payment.sampled()).isTrue();
        assertThat(payment.sample().orElseThrow().rowsScanned()).isPositive().isLessThan(2_000);

        // Views cannot be TABLESAMPLEd: the first rows are read, and the response says so.
        TableProfile view = sampling.profile("film_list");
        assertThat(view.sampled()).isTrue();
        assertThat(view.sample().orElseThrow().method()).isEqualTo("LIMIT");
        assertThat(view.sample().orElseThrow().percent()).isEmpty();
        assertThat(view.sample().orElseThrow().rowsScanned()).isEqualTo(300);
        assertThat(view.sample().orElseThrow().note()).contains("biased");

        // The same sample for every pass: repeated profiles agree.
        assertThat(sampling.profile("film").sample().orElseThrow().rowsScanned()).isEqualTo(sample.rowsScanned());
    }

    @Test
    void unknownOrInjectedTableNamesAreNotFound() {
        for (String name : List.of("no_such_table", "film; DROP TABLE film", "film\" --", "public.film_x")) {
            assertThatThrownBy(() -> fixture.profile(name)).as(name)
                    .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type()).isIn(ErrorType.NOT_FOUND,
                            ErrorType.VALIDATION_ERROR));
        }
        assertThatThrownBy(() -> fixture.profile("film; DROP TABLE film"))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.NOT_FOUND));
    }

    @Test
    void serialisesToTheSeedCompatibleJsonShape() throws Exception {
        ObjectMapper mapper = FrameJson.newMapper();
        String text = mapper.writeValueAsString(fixture.profile("film"));
        assertThat(text).doesNotContain("NaN").doesNotContain("Infinity");
        JsonNode json = mapper.readTree(text);
        assertThat(json.get("table_name").asText()).isEqualTo("public.film");
        assertThat(json.get("row_count").asLong()).isEqualTo(1000);
        assertThat(json.get("sampled").asBoolean()).isFalse();
        assertThat(json.has("sample")).isFalse();
        assertThat(json.get("elapsed_ms").isNumber()).isTrue();
        Map<String, JsonNode> columns = new LinkedHashMap<>();
        json.get("columns").forEach(c -> columns.put(c.get("name").asText(), c));
        JsonNode rating = columns.get("rating");
        assertThat(rating.get("null_count").asLong()).isZero();
        assertThat(rating.get("top_values").get(0).fieldNames()).toIterable().containsExactly("value", "count");
        JsonNode length = columns.get("length");
        assertThat(length.get("histogram").get(0).fieldNames()).toIterable()
                .containsExactly("bucket_start", "bucket_end", "count");
        assertThat(length.get("quantiles").get("p50").isNumber()).isTrue();
        assertThat(length.get("min").isNumber()).isTrue();
        assertThat(columns.get("rental_rate").get("min").asText()).isEqualTo("0.99");
        assertThat(columns.get("description").get("distinct_examples").isArray()).isTrue();
        assertThat(columns.get("description").has("min_length")).isTrue();
        assertThat(columns.get("description").has("mean")).isFalse();
    }

    /** One-number queries for assertions. */
    static final class SqlCount {
        static long of(String db, String sql) {
            try (Connection c = TestPostgres.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
