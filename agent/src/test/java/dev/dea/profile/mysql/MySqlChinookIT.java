package dev.dea.profile.mysql;

import dev.dea.config.SchemaConfig;
import dev.dea.profile.ColumnProfile;
import dev.dea.profile.DistributionMode;
import dev.dea.profile.TableProfile;
import dev.dea.schema.ColumnInfo;
import dev.dea.schema.DatabaseSchema;
import dev.dea.schema.TableInfo;
import dev.dea.schema.mysql.MySqlIntrospector;
import dev.dea.schema.mysql.MySqlNames;
import dev.dea.testing.TestMariaDb;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Schema and profiles of the real Chinook (MySQL script) on MariaDB agree with its published shape and with SQL. */
@Tag(TestPostgres.DATASETS_TAG)
class MySqlChinookIT {
    private static final SchemaConfig DEFAULTS = new SchemaConfig(Duration.ofMinutes(5), 1_000_000, 100_000);

    @Test
    void schemaHasChinooksTablesKeysAndIndexes() throws Exception {
        String db = TestMariaDb.chinook();
        try (Connection c = TestMariaDb.connect(db)) {
            DatabaseSchema schema = new MySqlIntrospector().read(c, Instant.now());
            List<TableInfo> tables = schema.tables().stream().filter(t -> t.schema().equals(db))
                    .filter(t -> !t.name().equals("dea_fixture_version")).toList();
            assertThat(tables).extracting(TableInfo::name).containsExactly("Album", "Artist", "Customer", "Employee",
                    "Genre", "Invoice", "InvoiceLine", "MediaType", "Playlist", "PlaylistTrack", "Track");
            TableInfo track = tables.stream().filter(t -> t.name().equals("Track")).findFirst().orElseThrow();
            assertThat(track.qualifiedName()).isEqualTo(db + ".Track");
            assertThat(track.primaryKey()).containsExactly("TrackId");
            assertThat(track.foreignKeys()).extracting(fk -> fk.referencesTable()).containsExactlyInAnyOrder(
                    db + ".Album", db + ".Genre", db + ".MediaType");
            TableInfo playlistTrack = tables.stream().filter(t -> t.name().equals("PlaylistTrack")).findFirst()
                    .orElseThrow();
            assertThat(playlistTrack.primaryKey()).containsExactly("PlaylistId", "TrackId");
            assertThat(tables.stream().mapToInt(t -> t.foreignKeys().size()).sum()).isEqualTo(11);
            assertThat(track.indexes()).anySatisfy(i -> {
                assertThat(i.name()).isEqualTo("IFK_TrackAlbumId");
                assertThat(i.columns()).containsExactly("AlbumId");
                assertThat(i.unique()).isFalse();
            });
            assertThat(track.indexes()).anySatisfy(i -> assertThat(i.primary()).isTrue());
            long indexes;
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM (SELECT DISTINCT TABLE_NAME, "
                    + "INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = '" + db
                    + "' AND TABLE_NAME <> 'dea_fixture_version') i")) {
                rs.next();
                indexes = rs.getLong(1);
            }
            assertThat(tables.stream().mapToInt(t -> t.indexes().size()).sum()).as("every index, primary keys included")
                    .isEqualTo(indexes).isGreaterThanOrEqualTo(22);
        }
    }

    @Test
    void everyChinookProfileAgreesWithSql() throws Exception {
        String db = TestMariaDb.chinook();
        try (Connection c = TestMariaDb.connect(db)) {
            c.setReadOnly(true);
            DatabaseSchema schema = new MySqlIntrospector().read(c, Instant.now());
            MySqlTableProfiler profiler = new MySqlTableProfiler(DEFAULTS);
            for (TableInfo t : schema.tables().stream().filter(x -> x.schema().equals(db)).toList()) {
                TableProfile p = profiler.profile(c, t, schema, DistributionMode.AUTO);
                String from = MySqlNames.always(db) + "." + MySqlNames.always(t.name());
                assertThat(p.sampled()).as(t.name()).isFalse();
                assertThat(p.rowCount()).as(t.name()).isEqualTo(count(c, "SELECT COUNT(*) FROM " + from));
                for (ColumnInfo col : t.columns()) {
                    ColumnProfile cp = p.column(col.name()).orElseThrow();
                    String q = MySqlNames.always(col.name());
                    assertThat(cp.nullCount()).as(t.name() + "." + col.name())
                            .hasValue(count(c, "SELECT COUNT(*) FROM " + from + " WHERE " + q + " IS NULL"));
                    assertThat(cp.distinctCount()).as(t.name() + "." + col.name())
                            .hasValue(count(c, "SELECT COUNT(DISTINCT " + q + ") FROM " + from));
                }
            }
        }
    }

    private static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
