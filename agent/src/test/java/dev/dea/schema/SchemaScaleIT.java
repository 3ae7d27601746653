package dev.dea.schema;

import dev.dea.db.Database;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;

/** The introspection is set-based: thousands of tables cost a handful of catalog queries, not one per table. */
class SchemaScaleIT {
    private static final int TABLES = 2_000;
    private static String dbName;

    @BeforeAll
    static void createManyTables() throws SQLException {
        dbName = TestPostgres.freshDatabase("dea_it_schema_scale");
        // Batches of 200 per transaction stay under max_locks_per_transaction.
        try (Connection c = TestPostgres.connect(dbName); Statement s = c.createStatement()) {
            for (int from = 1; from <= TABLES; from += 200) {
                s.execute("""
                        DO $$
                        BEGIN
                          FOR i IN %d..%d LOOP
                            EXECUTE format('CREATE TABLE t%%s (id int PRIMARY KEY, parent_id int %%s, name text NOT NULL,
                                amount numeric(10,2), created timestamptz DEFAULT now(), tags text[], flag boolean,
                                note varchar(80))',
                                i, CASE WHEN i > 1 THEN format('REFERENCES t%%s(id)', i - 1) ELSE '' END);
                            EXECUTE format('CREATE INDEX t%%s_name ON t%%s (name)', i, i);
                            EXECUTE format('COMMENT ON TABLE t%%s IS %%L', i, 'table number ' || i);
                          END LOOP;
                        END $$;
                        """.formatted(from, from + 199));
            }
        }
    }

    @AfterAll
    static void dropDatabase() {
        TestPostgres.drop(dbName);
    }

    @Test
    void twoThousandTablesIntrospectInWellUnderThreeSeconds() {
        try (Database db = SchemaServiceIT.database(TestPostgres.config(dbName))) {
            SchemaService service = SchemaServiceIT.service(db, Clock.systemUTC());
            service.schema(); // warm the pool and the server's catalog caches
            long started = System.nanoTime();
            DatabaseSchema schema = service.refresh();
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;

            assertThat(schema.tables()).hasSize(TABLES);
            assertThat(schema.tables()).allSatisfy(t -> {
                assertThat(t.columns()).hasSize(8);
                assertThat(t.primaryKey()).containsExactly("id");
                assertThat(t.indexes()).hasSize(2);
            });
            assertThat(schema.tables().stream().mapToInt(t -> t.foreignKeys().size()).sum()).isEqualTo(TABLES - 1);
            assertThat(elapsedMs).as("introspection of %d tables took %d ms", TABLES, elapsedMs).isLessThan(3_000);
        }
    }
}
