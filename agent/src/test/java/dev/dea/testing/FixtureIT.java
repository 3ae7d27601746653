package dev.dea.testing;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The generated fixture holds the rows fixture/fixture.sql promises, and a second call reuses the loaded database. */
class FixtureIT {
    @Test
    void generatesTheDocumentedRowCounts() throws SQLException {
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("language", 6L);
        expected.put("category", 16L);
        expected.put("actor", 200L);
        expected.put("film", 1000L);
        expected.put("film_actor", 3000L);
        expected.put("address", 600L);
        expected.put("customer", 599L);
        expected.put("staff", 2L);
        expected.put("inventory", 4000L);
        expected.put("rental", 16000L);
        expected.put("payment", 16000L);
        expected.put("all_kinds", 1000L);
        expected.put("music.artist", 275L);
        expected.put("music.album", 347L);
        expected.put("music.track", 3503L);
        expected.put("music.invoice", 412L);
        expected.put("music.invoice_line", 2240L);
        try (Connection c = TestPostgres.connect(TestPostgres.fixture()); Statement s = c.createStatement()) {
            for (var e : expected.entrySet()) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + e.getKey())) {
                    rs.next();
                    assertThat(rs.getLong(1)).as(e.getKey()).isEqualTo(e.getValue());
                }
            }
            // Every nullable column of all_kinds is NULL on every tenth row.
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM all_kinds WHERE num_arr IS NULL AND i2 IS NULL "
                    + "AND js IS NULL AND cash IS NULL")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(100);
            }
        }
    }

    @Test
    void loadsOncePerContentVersion() throws SQLException {
        String name = TestPostgres.fixture();
        try (Connection c = TestPostgres.connect("postgres"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT oid FROM pg_database WHERE datname = '" + name + "'")) {
            rs.next();
            long oid = rs.getLong(1);
            assertThat(TestPostgres.fixture()).isEqualTo(name);
            try (ResultSet again = s.executeQuery("SELECT oid FROM pg_database WHERE datname = '" + name + "'")) {
                again.next();
                assertThat(again.getLong(1)).as("the same database, not a reloaded one").isEqualTo(oid);
            }
        }
    }
}
