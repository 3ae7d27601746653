package dev.dea.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

class TestMariaDbIT {

    @Test
    void freshDatabaseIsCreatedEmptyAndDropped() throws Exception {
        String db = TestMariaDb.freshDatabase("dea_it_helper");
        try (Connection c = TestMariaDb.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        } finally {
            TestMariaDb.drop(db);
        }
        try (Connection c = TestMariaDb.connect(""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '" + db + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    @Tag(TestPostgres.DATASETS_TAG)
    void chinookIsLoadedUnderTheSuitesName() throws Exception {
        String db = TestMariaDb.chinook();
        try (Connection c = TestMariaDb.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM Track")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(3503);
        }
    }
}
