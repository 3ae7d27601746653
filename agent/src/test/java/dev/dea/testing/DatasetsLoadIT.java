package dev.dea.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;

import static org.assertj.core.api.Assertions.assertThat;

/** Pagila and Chinook load from the datasets folder with psql and hold their published row counts. */
@Tag(TestPostgres.DATASETS_TAG)
class DatasetsLoadIT {
    @Test
    void loadsPagilaAndChinookFromTheDatasetsFolder() throws Exception {
        try (Connection c = TestPostgres.connect(TestPostgres.pagila());
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM film")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1000);
        }
        try (Connection c = TestPostgres.connect(TestPostgres.chinook());
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM track")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(3503);
        }
    }
}
