package dev.dea.schema;

import dev.dea.schema.postgresql.PostgresIntrospector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.config.DbConfig;
import dev.dea.config.SchemaConfig;
import dev.dea.config.SqlLimits;
import dev.dea.db.Database;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.frame.FrameJson;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaServiceIT {
    /** The generated fixture: a Pagila-shaped store in public, a Chinook-shaped one in music. */
    private static Database fixtureDb;
    private static DatabaseSchema fixture;

    @BeforeAll
    static void introspect() {
        fixtureDb = database(TestPostgres.config(TestPostgres.fixture()));
        fixture = service(fixtureDb, Clock.systemUTC()).schema();
    }

    @AfterAll
    static void close() {
        fixtureDb.close();
    }

    static Database database(DbConfig config) {
        return new Database(config, new SqlLimits(Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(60),
                10_000, 1_000, 100, Set.of(), Set.of()));
    }

    static SchemaService service(Database db, Clock clock) {
        return new SchemaService(db, new SchemaConfig(Duration.ofMinutes(5), 1_000_000, 10_000), clock, new PostgresIntrospector());
    }

    private static TableInfo table(DatabaseSchema schema, String qualified) {
        return schema.tables().stream().filter(t -> t.qualifiedName().equals(qualified)).findFirst()
                .orElseThrow(() -> new AssertionError("no table " + qualified));
    }

    private static ColumnInfo column(TableInfo t, String name) {
        return t.column(name).orElseThrow(() -> new AssertionError("no column " + name + " in " + t.qualifiedName()));
    }

    @Test
    void describesTheServer() {
        assertThat(fixture.dialect()).isEqualTo("postgresql");
        assertThat(fixture.serverVersion()).matches("\\d+.*");
        assertThat(fixture.serverMajorVersion()).isGreaterThanOrEqualTo(12);
        assertThat(Instant.parse(fixture.generatedAt())).isBeforeOrEqualTo(Instant.now());
        assertThat(fixture.searchPath()).containsExactly("public");
    }

    @Test
    void reportsEveryKindOfRelation() {
        TableInfo payment = table(fixture, "public.payment");
        assertThat(payment.kind()).isEqualTo(TableKind.PARTITIONED_TABLE);
        assertThat(payment.partitionKey()).hasValue("RANGE (payment_date)");
        assertThat(payment.parent()).isEmpty();

        List<TableInfo> partitions = fixture.tables().stream().filter(t -> t.name().startsWith("payment_p")).toList();
        assertThat(partitions).hasSize(7).allSatisfy(p -> {
            assertThat(p.kind()).isEqualTo(TableKind.PARTITION);
            assertThat(p.parent()).hasValue("public.payment");
            assertThat(p.partitionBound()).hasValueSatisfying(b -> assertThat(b).startsWith("FOR VALUES FROM"));
        });

        assertThat(table(fixture, "public.film").kind()).isEqualTo(TableKind.TABLE);
        assertThat(table(fixture, "public.actor_info").kind()).isEqualTo(TableKind.VIEW);
        assertThat(table(fixture, "public.customer_list").kind()).isEqualTo(TableKind.VIEW);
        TableInfo matview = table(fixture, "public.rental_by_category");
        assertThat(matview.kind()).isEqualTo(TableKind.MATERIALIZED_VIEW);
        // fixture.sql, like Pagila, creates it WITH NO DATA: selecting from it fails, which the model must say.
        assertThat(matview.populated()).hasValue(false);
        assertThat(table(fixture, "public.film").populated()).isEmpty();
    }

    @Test
    void describesFilmColumnsIncludingEnumDomainArrayAndTsvector() {
        TableInfo film = table(fixture, "public.film");
        assertThat(film.columns()).extracting(ColumnInfo::name).startsWith("film_id", "title", "description");
        assertThat(film.columns()).extracting(ColumnInfo::position).isSorted();

        ColumnInfo id = column(film, "film_id");
        assertThat(id.type()).isEqualTo("integer");
        assertThat(id.isPrimaryKey()).isTrue();
        assertThat(id.nullable()).isFalse();
        assertThat(id.defaultValue()).hasValueSatisfying(d -> assertThat(d).startsWith("nextval("));
        assertThat(id.position()).isEqualTo(1);

        ColumnInfo rating = column(film, "rating");
        assertThat(rating.type()).isEqualTo("mpaa_rating");
        assertThat(rating.enumValues()).hasValue(List.of("G", "PG", "PG-13", "R", "NC-17"));
        assertThat(rating.isPrimaryKey()).isFalse();
        assertThat(rating.nullable()).isTrue();

        ColumnInfo year = column(film, "release_year");
        assertThat(year.type()).isEqualTo("year");
        assertThat(year.domain()).hasValue("year");
        assertThat(year.baseType()).hasValue("integer");

        assertThat(column(film, "rental_rate").type()).isEqualTo("numeric(4,2)");
        ColumnInfo features = column(film, "special_features");
        assertThat(features.type()).isEqualTo("text[]");
        assertThat(features.isArray()).isTrue();
        assertThat(features.enumValues()).isEmpty();
        assertThat(column(film, "fulltext").type()).isEqualTo("tsvector");
        assertThat(column(film, "fulltext").isArray()).isFalse();
        assertThat(column(table(fixture, "public.staff"), "picture").type()).isEqualTo("bytea");
        assertThat(column(table(fixture, "public.customer_list"), "name").type()).isEqualTo("text");
    }

    @Test
    void describesKeysAndIndexes() {
        TableInfo film = table(fixture, "public.film");
        assertThat(film.primaryKey()).containsExactly("film_id");
        ForeignKeyInfo language = film.foreignKeys().stream()
                .filter(fk -> fk.columns().equals(List.of("language_id"))).findFirst().orElseThrow();
        assertThat(language.name()).isEqualTo("film_language_id_fkey");
        assertThat(language.referencesTable()).isEqualTo("public.language");
        assertThat(language.referencesColumns()).containsExactly("language_id");
        assertThat(language.onDelete()).isEqualTo("RESTRICT");
        assertThat(language.onUpdate()).isEqualTo("CASCADE");

        IndexInfo pkey = film.indexes().stream().filter(IndexInfo::primary).findFirst().orElseThrow();
        assertThat(pkey.columns()).containsExactly("film_id");
        assertThat(pkey.unique()).isTrue();
        IndexInfo title = film.indexes().stream().filter(i -> i.name().equals("idx_title")).findFirst().orElseThrow();
        assertThat(title.columns()).containsExactly("title");
        assertThat(title.unique()).isFalse();
        assertThat(title.method()).isEqualTo("btree");
        assertThat(title.definition()).isEqualTo("CREATE INDEX idx_title ON public.film USING btree (title)");
        IndexInfo fulltext = film.indexes().stream().filter(i -> i.name().equals("film_fulltext_idx")).findFirst()
                .orElseThrow();
        assertThat(fulltext.method()).isEqualTo("gist");

        // A composite primary key keeps its declared column order.
        assertThat(table(fixture, "public.payment").primaryKey()).containsExactly("payment_date", "payment_id");
        assertThat(table(fixture, "public.film_actor").primaryKey()).containsExactly("actor_id", "film_id");
        assertThat(table(fixture, "public.payment_p2022_01").foreignKeys()).extracting(ForeignKeyInfo::referencesTable)
                .contains("public.customer", "public.rental", "public.staff");
        assertThat(table(fixture, "public.actor_info").primaryKey()).isEmpty();
    }

    @Test
    void foreignKeyCountMatchesTheCatalog() throws SQLException {
        long expected = scalar(TestPostgres.fixture(), "SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = "
                + "k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.contype = 'f' AND n.nspname = 'public'");
        long reported = fixture.tables().stream().filter(t -> t.schema().equals("public"))
                .mapToLong(t -> t.foreignKeys().size()).sum();
        // fixture.sql: 12 on the store's tables, 3 on each of payment's 7 partitions.
        assertThat(expected).isEqualTo(33);
        assertThat(reported).isEqualTo(expected);
    }

    @Test
    void listsEnumsAndDomains() {
        assertThat(fixture.schema().enums()).containsExactly(
                new EnumInfo("public", "mpaa_rating", List.of("G", "PG", "PG-13", "R", "NC-17")));
        DomainInfo year = fixture.schema().domains().stream().filter(d -> d.name().equals("year")).findFirst()
                .orElseThrow();
        assertThat(year.schema()).isEqualTo("public");
        assertThat(year.baseType()).isEqualTo("integer");
        assertThat(year.nullable()).isTrue();
        assertThat(year.check()).hasValueSatisfying(c -> assertThat(c).startsWith("CHECK").contains("1901", "2155"));
        assertThat(fixture.schema().domains()).extracting(DomainInfo::name).contains("bıgınt");
    }

    @Test
    void tableAndColumnCountsMatchThePgCatalogAndInformationSchema() throws SQLException {
        assertCountsMatchTheCatalog(TestPostgres.fixture(), fixture);
        // fixture.sql: 18 relations in public (11 tables, payment and its 7 partitions, 3 views, 1
        // materialized view and all_kinds) and the 11 tables of music.
        assertThat(fixture.tables()).filteredOn(t -> t.schema().equals("public")).hasSize(24);
        assertThat(fixture.tables()).filteredOn(t -> t.schema().equals("music")).hasSize(11);
    }

    static void assertCountsMatchTheCatalog(String db, DatabaseSchema schema) throws SQLException {
        long relations = scalar(db, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE c.relkind IN ('r','v','m','p','f') AND n.nspname NOT IN ('pg_catalog','information_schema') "
                + "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'");
        // information_schema.tables leaves out materialized views.
        long viaInformationSchema = scalar(db, "SELECT count(*) FROM information_schema.tables WHERE table_schema "
                + "NOT IN ('pg_catalog','information_schema')")
                + scalar(db, "SELECT count(*) FROM pg_matviews");
        long columns = scalar(db, "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','v','m','p','f') "
                + "AND a.attnum > 0 AND NOT a.attisdropped AND n.nspname NOT IN ('pg_catalog','information_schema') "
                + "AND n.nspname NOT LIKE 'pg_toast%'");
        long columnsViaInformationSchema = scalar(db, "SELECT count(*) FROM information_schema.columns WHERE "
                + "table_schema NOT IN ('pg_catalog','information_schema')")
                + scalar(db, "SELECT count(*) FROM pg_attribute a JOIN pg_matviews m ON a.attrelid = "
                + "(quote_ident(m.schemaname) || '.' || quote_ident(m.matviewname))::regclass WHERE a.attnum > 0 "
                + "AND NOT a.attisdropped");
        assertThat(schema.tables()).as(db).hasSize((int) relations).hasSize((int) viaInformationSchema);
        long reportedColumns = schema.tables().stream().mapToLong(t -> t.columns().size()).sum();
        assertThat(reportedColumns).as(db).isEqualTo(columns).isEqualTo(columnsViaInformationSchema);
    }

    @Test
    void theChinookShapedSchemaHasElevenTablesWithPrimaryAndForeignKeys() throws SQLException {
        List<TableInfo> music = fixture.tables().stream().filter(t -> t.schema().equals("music")).toList();
        assertThat(music).extracting(TableInfo::name).containsExactly("album", "artist", "customer",
                "employee", "genre", "invoice", "invoice_line", "media_type", "playlist", "playlist_track", "track");
        assertThat(music).allSatisfy(t -> {
            assertThat(t.kind()).isEqualTo(TableKind.TABLE);
            assertThat(t.primaryKey()).isNotEmpty();
            assertThat(t.columns()).filteredOn(ColumnInfo::isPrimaryKey).extracting(ColumnInfo::name)
                    .containsExactlyInAnyOrderElementsOf(t.primaryKey());
        });
        assertThat(table(fixture, "music.playlist_track").primaryKey()).containsExactly("playlist_id", "track_id");
        TableInfo track = table(fixture, "music.track");
        assertThat(track.foreignKeys()).extracting(ForeignKeyInfo::referencesTable)
                .containsExactlyInAnyOrder("music.album", "music.genre", "music.media_type");
        assertThat(table(fixture, "music.employee").foreignKeys()).singleElement()
                .satisfies(fk -> assertThat(fk.referencesTable()).isEqualTo("music.employee"));
        long fks = scalar(TestPostgres.fixture(), "SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.contype = 'f' AND n.nspname = 'music'");
        assertThat(fks).isEqualTo(11);
        assertThat(music.stream().mapToLong(t -> t.foreignKeys().size()).sum()).isEqualTo(fks);
    }

    @Test
    void analysedTablesCarryTheirRowEstimateAndViewsNone() {
        // fixture.sql ends with ANALYZE.
        assertThat(table(fixture, "public.film").approxRowCount()).hasValue(1000L);
        assertThat(table(fixture, "public.actor_info").approxRowCount()).isEmpty();
    }

    @Test
    void resolvesPlainQualifiedQuotedAndCaseVariantNames() {
        SchemaService service = service(fixtureDb, Clock.systemUTC());
        for (String name : List.of("film", "public.film", "\"film\"", "public.\"film\"", "\"public\".\"film\"",
                " public . film ", "FILM", "Public.Film")) {
            assertThat(service.resolve(name).qualifiedName()).as(name).isEqualTo("public.film");
        }
        assertThat(service.resolve("payment_p2022_03").parent()).hasValue("public.payment");
        assertThat(service.resolve("public.rental_by_category").kind()).isEqualTo(TableKind.MATERIALIZED_VIEW);
    }

    @Test
    void unknownOrQuotedMismatchedNamesAreNotFoundWithSuggestions() {
        SchemaService service = service(fixtureDb, Clock.systemUTC());
        assertThatThrownBy(() -> service.resolve("flim"))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.type()).isEqualTo(ErrorType.NOT_FOUND);
                    assertThat(e.getMessage()).contains("'flim'").contains("public.film");
                    assertThat(e.details()).containsEntry("suggestions", List.of("public.film"));
                });
        assertThatThrownBy(() -> service.resolve("\"FILM\""))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.NOT_FOUND));
        assertThatThrownBy(() -> service.resolve("other.film"))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.NOT_FOUND));
        assertThatThrownBy(() -> service.resolve("a.b.c"))
                .isInstanceOfSatisfying(AgentException.class,
                        e -> assertThat(e.type()).isEqualTo(ErrorType.VALIDATION_ERROR));
    }

    @Test
    void serialisesToTheSeedCompatibleJsonShape() throws Exception {
        ObjectMapper mapper = FrameJson.newMapper();
        JsonNode json = mapper.readTree(mapper.writeValueAsString(fixture));
        assertThat(json.get("dialect").asText()).isEqualTo("postgresql");
        assertThat(json.fieldNames()).toIterable()
                .containsExactly("dialect", "server_version", "generated_at", "search_path", "schema");
        JsonNode film = null;
        for (JsonNode t : json.get("schema").get("tables")) {
            if (t.get("name").asText().equals("film")) {
                film = t;
            }
        }
        assertThat(film).isNotNull();
        assertThat(film.get("qualified_name").asText()).isEqualTo("public.film");
        assertThat(film.get("kind").asText()).isEqualTo("table");
        assertThat(film.has("parent")).isFalse();
        assertThat(film.get("primary_key").get(0).asText()).isEqualTo("film_id");
        JsonNode filmId = film.get("columns").get(0);
        assertThat(filmId.get("name").asText()).isEqualTo("film_id");
        assertThat(filmId.get("type").asText()).isEqualTo("integer");
        assertThat(filmId.get("is_primary_key").asBoolean()).isTrue();
        assertThat(filmId.get("is_array").asBoolean()).isFalse();
        assertThat(filmId.has("comment")).isFalse();
        assertThat(filmId.has("enum_values")).isFalse();
        JsonNode fk = film.get("foreign_keys").get(0);
        assertThat(fk.fieldNames()).toIterable().containsExactly("name", "columns", "references_table",
                "references_columns", "on_delete", "on_update");
        assertThat(json.get("schema").get("enums").get(0).get("values").size()).isEqualTo(5);
        assertThat(json.get("schema").get("domains").get(0).has("base_type")).isTrue();
    }

    static long scalar(String db, String sql) throws SQLException {
        try (Connection c = TestPostgres.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static Set<String> names(DatabaseSchema schema) {
        return schema.tables().stream().map(TableInfo::qualifiedName).collect(Collectors.toSet());
    }


    static Optional<TableInfo> find(DatabaseSchema schema, String qualified) {
        return schema.tables().stream().filter(t -> t.qualifiedName().equals(qualified)).findFirst();
    }
}
