package dev.dea.profile;

import dev.dea.profile.postgresql.PostgresTableProfiler;
import dev.dea.schema.postgresql.PostgresIntrospector;
import dev.dea.db.Database;
import dev.dea.schema.SchemaService;
import dev.dea.schema.TableInfo;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Profiles of every relation of the real Pagila and Chinook: exact statistics that match SQL, the
 * fast path and pg_stats estimates consistent with the counted profile.
 */
@Tag(TestPostgres.DATASETS_TAG)
class DatasetProfileIT {
    @Test
    void pagilaStatisticsMatchExactSql() throws SQLException {
        String db = TestPostgres.pagila();
        try (Database database = ProfileServiceIT.database(db)) {
            ProfileService pagila = new ProfileService(database, new SchemaService(database, ProfileServiceIT.EXACT,
                    Clock.systemUTC(), new PostgresIntrospector()), ProfileServiceIT.EXACT, new PostgresTableProfiler(ProfileServiceIT.EXACT));
            ProfileServiceIT.assertMatchesSql(pagila, db, "film", "film_id", "int");
            ProfileServiceIT.assertMatchesSql(pagila, db, "film", "rental_rate", "numeric");
            ProfileServiceIT.assertMatchesSql(pagila, db, "film", "title", "text");
            ProfileServiceIT.assertMatchesSql(pagila, db, "film", "last_update", "timestamptz");
            ProfileServiceIT.assertMatchesSql(pagila, db, "customer", "create_date", "date");
            ProfileServiceIT.assertMatchesSql(pagila, db, "address", "address2", "text");
            ProfileServiceIT.assertMatchesSql(pagila, db, "rental", "return_date", "timestamptz");
            ProfileServiceIT.assertMatchesSql(pagila, db, "payment", "amount", "numeric");
            ProfileServiceIT.assertMatchesSql(pagila, db, "payment_p2022_02", "customer_id", "int");
        }
    }

    @Test
    void chinookStatisticsMatchExactSql() throws SQLException {
        String db = TestPostgres.chinook();
        try (Database database = ProfileServiceIT.database(db)) {
            ProfileService chinook = new ProfileService(database, new SchemaService(database, ProfileServiceIT.EXACT,
                    Clock.systemUTC(), new PostgresIntrospector()), ProfileServiceIT.EXACT, new PostgresTableProfiler(ProfileServiceIT.EXACT));
            ProfileServiceIT.assertMatchesSql(chinook, db, "track", "milliseconds", "int");
            ProfileServiceIT.assertMatchesSql(chinook, db, "track", "unit_price", "numeric");
            ProfileServiceIT.assertMatchesSql(chinook, db, "track", "composer", "text");
            ProfileServiceIT.assertMatchesSql(chinook, db, "invoice", "invoice_date", "timestamp");
            ProfileServiceIT.assertMatchesSql(chinook, db, "invoice", "billing_state", "text");
            ProfileServiceIT.assertMatchesSql(chinook, db, "customer", "company", "text");
            ProfileServiceIT.assertMatchesSql(chinook, db, "employee", "birth_date", "timestamp");
        }
    }

    @Test
    void everyPagilaAndChinookRelationProfilesWithoutError() {
        for (String db : new String[] {TestPostgres.pagila(), TestPostgres.chinook()}) {
            try (Database database = ProfileServiceIT.database(db)) {
                SchemaService schema = new SchemaService(database, ProfileServiceIT.EXACT, Clock.systemUTC(), new PostgresIntrospector());
                ProfileService profiles = new ProfileService(database, schema, ProfileServiceIT.EXACT, new PostgresTableProfiler(ProfileServiceIT.EXACT));
                for (TableInfo table : schema.schema().tables()) {
                    TableProfile profile = profiles.profile(table.qualifiedName());
                    assertThat(profile.columns()).as(table.qualifiedName()).extracting(ColumnProfile::name)
                            .containsExactlyElementsOf(table.columns().stream().map(c -> c.name()).toList());
                }
            }
        }
    }

    @Test
    void everyPagilaRelationProfilesOnTheFastPathLikeOnTheExactOne() {
        ProfileFastPathIT.assertFastPathLikeExact(TestPostgres.pagila());
    }

    @Test
    void everyPagilaAndChinookRelationProfilesWithEstimatesConsistentWithTheCountedOnes() throws SQLException {
        ProfileEstimatesIT.assertEstimatesConsistentWithCounts(TestPostgres.pagila());
        ProfileEstimatesIT.assertEstimatesConsistentWithCounts(TestPostgres.chinook());
    }
}
