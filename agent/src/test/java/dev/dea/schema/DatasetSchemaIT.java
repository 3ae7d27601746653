package dev.dea.schema;

import dev.dea.db.Database;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Introspection of the real Pagila and Chinook agrees with their published shape and with the catalog. */
@Tag(TestPostgres.DATASETS_TAG)
class DatasetSchemaIT {
    private static Database pagilaDb;
    private static Database chinookDb;
    private static DatabaseSchema pagila;
    private static DatabaseSchema chinook;

    @BeforeAll
    static void introspect() {
        pagilaDb = SchemaServiceIT.database(TestPostgres.config(TestPostgres.pagila()));
        chinookDb = SchemaServiceIT.database(TestPostgres.config(TestPostgres.chinook()));
        pagila = SchemaServiceIT.service(pagilaDb, Clock.systemUTC()).schema();
        chinook = SchemaServiceIT.service(chinookDb, Clock.systemUTC()).schema();
    }

    @AfterAll
    static void close() {
        pagilaDb.close();
        chinookDb.close();
    }

    private static TableInfo table(DatabaseSchema schema, String qualified) {
        return SchemaServiceIT.find(schema, qualified).orElseThrow(() -> new AssertionError("no table " + qualified));
    }

    @Test
    void reportsEveryKindOfPagilaRelation() {
        TableInfo payment = table(pagila, "public.payment");
        assertThat(payment.kind()).isEqualTo(TableKind.PARTITIONED_TABLE);
        assertThat(payment.partitionKey()).hasValue("RANGE (payment_date)");
        assertThat(payment.parent()).isEmpty();

        List<TableInfo> partitions = pagila.tables().stream().filter(t -> t.name().startsWith("payment_p")).toList();
        assertThat(partitions).hasSize(7).allSatisfy(p -> {
            assertThat(p.kind()).isEqualTo(TableKind.PARTITION);
            assertThat(p.parent()).hasValue("public.payment");
            assertThat(p.partitionBound()).hasValueSatisfying(b -> assertThat(b).startsWith("FOR VALUES FROM"));
        });

        assertThat(table(pagila, "public.film").kind()).isEqualTo(TableKind.TABLE);
        assertThat(table(pagila, "public.actor_info").kind()).isEqualTo(TableKind.VIEW);
        assertThat(table(pagila, "public.customer_list").kind()).isEqualTo(TableKind.VIEW);
        TableInfo matview = table(pagila, "public.rental_by_category");
        assertThat(matview.kind()).isEqualTo(TableKind.MATERIALIZED_VIEW);
        // Pagila creates it WITH NO DATA: selecting from it fails, which the model must say.
        assertThat(matview.populated()).hasValue(false);
        assertThat(table(pagila, "public.film").populated()).isEmpty();
    }

    @Test
    void tableAndColumnCountsMatchThePgCatalogAndInformationSchema() throws SQLException {
        SchemaServiceIT.assertCountsMatchTheCatalog(TestPostgres.pagila(), pagila);
        SchemaServiceIT.assertCountsMatchTheCatalog(TestPostgres.chinook(), chinook);
    }

    @Test
    void chinookHasElevenTablesWithPrimaryAndForeignKeys() throws SQLException {
        assertThat(chinook.tables()).extracting(TableInfo::name).containsExactly("album", "artist", "customer",
                "employee", "genre", "invoice", "invoice_line", "media_type", "playlist", "playlist_track", "track");
        assertThat(chinook.tables()).allSatisfy(t -> {
            assertThat(t.kind()).isEqualTo(TableKind.TABLE);
            assertThat(t.primaryKey()).isNotEmpty();
            assertThat(t.columns()).filteredOn(ColumnInfo::isPrimaryKey).extracting(ColumnInfo::name)
                    .containsExactlyInAnyOrderElementsOf(t.primaryKey());
        });
        assertThat(table(chinook, "public.playlist_track").primaryKey()).containsExactly("playlist_id", "track_id");
        TableInfo track = table(chinook, "public.track");
        assertThat(track.foreignKeys()).extracting(ForeignKeyInfo::referencesTable)
                .containsExactlyInAnyOrder("public.album", "public.genre", "public.media_type");
        assertThat(table(chinook, "public.employee").foreignKeys()).singleElement()
                .satisfies(fk -> assertThat(fk.referencesTable()).isEqualTo("public.employee"));
        long fks = SchemaServiceIT.scalar(TestPostgres.chinook(), "SELECT count(*) FROM pg_constraint WHERE contype = 'f'");
        assertThat(chinook.tables().stream().mapToLong(t -> t.foreignKeys().size()).sum()).isEqualTo(fks);
    }
}
