package dev.dea.schema;

import dev.dea.testing.ManualClock;
import dev.dea.config.DbConfig;
import dev.dea.db.Database;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.dea.schema.SchemaServiceIT.database;
import static dev.dea.schema.SchemaServiceIT.find;
import static dev.dea.schema.SchemaServiceIT.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Behaviour that needs its own tables: several schemas, comments, statistics, grants, cache expiry. */
class SchemaFreshDatabaseIT {
    private static String dbName;
    private static Database db;
    private static final String ROLE = "dea_it_reader_" + Long.toHexString(System.nanoTime());

    @BeforeAll
    static void createDatabase() throws SQLException {
        dbName = TestPostgres.freshDatabase("dea_it_schema");
        execute("""
                CREATE SCHEMA sales;
                CREATE SCHEMA archive;
                CREATE TABLE sales.orders (id int PRIMARY KEY, placed date);
                CREATE TABLE archive.orders (id int PRIMARY KEY, placed date, archived_at timestamptz);
                CREATE TABLE public.items (id int PRIMARY KEY, order_id int);
                CREATE TABLE archive.items (id int PRIMARY KEY);
                CREATE TABLE public."My Table" ("Weird ""Col""\" text, id int GENERATED ALWAYS AS IDENTITY,
                    doubled int GENERATED ALWAYS AS (id * 2) STORED);
                CREATE TABLE public."order" (id int);
                CREATE TYPE sales.status AS ENUM ('new', 'paid');
                CREATE TABLE sales.states (id int, history sales.status[], current sales.status);
                COMMENT ON TABLE sales.orders IS 'One row per customer order';
                COMMENT ON COLUMN sales.orders.placed IS 'Local date the order was placed';
                CREATE TABLE public.events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
                CREATE TABLE public.events_2023 PARTITION OF public.events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
                CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
                INSERT INTO public.events SELECT g, DATE '2023-01-01' + (g % 700) FROM generate_series(1, 7000) g;
                ANALYZE public.events;
                """);
        db = database(TestPostgres.config(dbName));
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        db.close();
        TestPostgres.drop(dbName);
        try (Connection c = TestPostgres.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS " + ROLE);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = TestPostgres.connect(dbName); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void bareNameInTwoSchemasOffThePathIsAmbiguousButQualifiedNamesResolve() {
        SchemaService service = service(db, Clock.systemUTC());
        assertThatThrownBy(() -> service.resolve("orders"))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.type()).isEqualTo(ErrorType.VALIDATION_ERROR);
                    assertThat(e.getMessage()).contains("archive.orders", "sales.orders");
                    assertThat(e.details()).containsEntry("candidates", List.of("archive.orders", "sales.orders"));
                });
        assertThat(service.resolve("sales.orders").schema()).isEqualTo("sales");
        assertThat(service.resolve("archive.orders").columns()).hasSize(3);
        assertThat(service.resolve("\"archive\".\"orders\"").schema()).isEqualTo("archive");
    }

    @Test
    void bareNameOnTheSearchPathWinsOverOtherSchemas() {
        SchemaService service = service(db, Clock.systemUTC());
        assertThat(service.resolve("items").qualifiedName()).isEqualTo("public.items");
        assertThat(service.resolve("archive.items").qualifiedName()).isEqualTo("archive.items");
        // Unique outside the search path: found without qualification.
        assertThat(service.resolve("states").qualifiedName()).isEqualTo("sales.states");
    }

    @Test
    void namesThatNeedQuotingRoundTripThroughQualifiedName() {
        SchemaService service = service(db, Clock.systemUTC());
        TableInfo t = service.resolve("\"My Table\"");
        assertThat(t.name()).isEqualTo("My Table");
        assertThat(t.qualifiedName()).isEqualTo("public.\"My Table\"");
        assertThat(service.resolve(t.qualifiedName())).isEqualTo(t);
        assertThat(service.resolve("My Table")).isEqualTo(t);
        assertThat(t.columns()).extracting(ColumnInfo::name).containsExactly("Weird \"Col\"", "id", "doubled");
        assertThat(t.column("id").orElseThrow().defaultValue()).hasValue("GENERATED ALWAYS AS IDENTITY");
        assertThat(t.column("doubled").orElseThrow().defaultValue()).hasValue("GENERATED ALWAYS AS ((id * 2)) STORED");
        // A reserved word is quoted too, so the qualified name is always valid SQL.
        assertThat(service.resolve("order").qualifiedName()).isEqualTo("public.\"order\"");
    }

    @Test
    void reportsCommentsAndEnumArrays() {
        DatabaseSchema schema = service(db, Clock.systemUTC()).schema();
        TableInfo orders = find(schema, "sales.orders").orElseThrow();
        assertThat(orders.comment()).hasValue("One row per customer order");
        assertThat(orders.column("placed").orElseThrow().comment()).hasValue("Local date the order was placed");
        assertThat(orders.column("id").orElseThrow().comment()).isEmpty();
        TableInfo states = find(schema, "sales.states").orElseThrow();
        ColumnInfo history = states.column("history").orElseThrow();
        assertThat(history.isArray()).isTrue();
        assertThat(history.type()).isEqualTo("sales.status[]");
        assertThat(history.enumValues()).hasValue(List.of("new", "paid"));
        assertThat(states.column("current").orElseThrow().enumValues()).hasValue(List.of("new", "paid"));
        assertThat(schema.schema().enums()).extracting(EnumInfo::schema, EnumInfo::name)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("sales", "status"));
    }

    @Test
    void analysedPartitionsSumIntoTheParentsRowEstimate() {
        DatabaseSchema schema = service(db, Clock.systemUTC()).schema();
        assertThat(find(schema, "public.events_2023").orElseThrow().approxRowCount()).hasValue(3650L);
        assertThat(find(schema, "public.events_2024").orElseThrow().approxRowCount()).hasValue(3350L);
        assertThat(find(schema, "public.events").orElseThrow().approxRowCount()).hasValue(7000L);
        assertThat(find(schema, "public.events").orElseThrow().kind()).isEqualTo(TableKind.PARTITIONED_TABLE);
        // Never analysed: no estimate rather than a misleading 0 or -1.
        assertThat(find(schema, "public.items").orElseThrow().approxRowCount()).isEmpty();
    }

    @Test
    void aRoleSeesOnlyTheTablesItCanRead() throws SQLException {
        try (Connection c = TestPostgres.connect(dbName); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + ROLE + " NOLOGIN");
            s.execute("GRANT USAGE ON SCHEMA sales TO " + ROLE);
            s.execute("GRANT SELECT ON sales.orders TO " + ROLE);
            s.execute("GRANT SELECT (id) ON public.items TO " + ROLE);
        }
        DbConfig base = TestPostgres.config(dbName);
        DbConfig restricted = new DbConfig(base.dialect(), base.host(), base.port(), base.user(), base.password(),
                base.name(), base.sslMode(), Optional.of(ROLE), base.searchPath(), 2, base.allowPrivilegedLogin());
        try (Database limited = database(restricted)) {
            DatabaseSchema schema = service(limited, Clock.systemUTC()).schema();
            assertThat(schema.tables()).extracting(TableInfo::qualifiedName)
                    .containsExactly("public.items", "sales.orders");
            // A column-level grant shows the table with just the readable columns.
            assertThat(find(schema, "public.items").orElseThrow().columns()).extracting(ColumnInfo::name)
                    .containsExactly("id");
        }
    }

    @Test
    void cachesForTheTtlAndRefreshRebuildsAtOnce() throws SQLException {
        ManualClock clock = new ManualClock();
        SchemaService service = service(db, clock);
        DatabaseSchema first = service.schema();
        assertThat(service.schema()).isSameAs(first);
        assertThat(service.rebuildCount()).isEqualTo(1);

        execute("CREATE TABLE public.added_later (id int)");
        clock.advance(Duration.ofMinutes(4));
        assertThat(service.schema()).isSameAs(first);
        assertThat(find(service.schema(), "public.added_later")).isEmpty();

        clock.advance(Duration.ofMinutes(2));
        DatabaseSchema expired = service.schema();
        assertThat(expired).isNotSameAs(first);
        assertThat(find(expired, "public.added_later")).isPresent();
        assertThat(service.rebuildCount()).isEqualTo(2);

        execute("DROP TABLE public.added_later");
        DatabaseSchema refreshed = service.refresh();
        assertThat(find(refreshed, "public.added_later")).isEmpty();
        assertThat(service.schema()).isSameAs(refreshed);
        assertThat(service.rebuildCount()).isEqualTo(3);
    }

    @Test
    void concurrentCallersOnAColdCacheShareOneRebuild() throws Exception {
        SchemaService service = service(db, Clock.systemUTC());
        int threads = 16;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<DatabaseSchema>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return service.schema();
                }));
            }
            start.countDown();
            DatabaseSchema first = results.get(0).get();
            for (Future<DatabaseSchema> f : results) {
                assertThat(f.get()).isSameAs(first);
            }
            assertThat(service.rebuildCount()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }
}
