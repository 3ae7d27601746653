package dev.dea.profile.mysql;

import dev.dea.config.ConfigLoader;
import dev.dea.config.SchemaConfig;
import dev.dea.db.Database;
import dev.dea.profile.DistributionMode;
import dev.dea.profile.ProfileService;
import dev.dea.profile.TableProfile;
import dev.dea.schema.SchemaService;
import dev.dea.schema.mysql.MySqlIntrospector;
import dev.dea.testing.TestMariaDb;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A large table's profile through {@link ProfileService} runs each pass as two statements on two
 * connections when a profile slot is idle, and says exactly what the one-connection profile says.
 */
class MySqlSplitProfileIT {
    private static final SchemaConfig EXACT = new SchemaConfig(Duration.ofMinutes(5), 1_000_000, 100_000);
    private static final SchemaConfig SAMPLED = new SchemaConfig(Duration.ofMinutes(5), 10_000, 12_000);
    private static final SchemaConfig ONE_SLOT = new SchemaConfig(Duration.ofMinutes(5), 1_000_000, 100_000, 1);
    private static String db;
    private static SimpleMeterRegistry registry;
    private static Database database;

    @BeforeAll
    static void create() {
        db = TestMariaDb.freshDatabase("mysqlschema_it_split");
        TestMariaDb.execute(db, """
                CREATE TABLE wide (id INT PRIMARY KEY, qty INT, price DECIMAL(10,2) NOT NULL, score DOUBLE,
                  name VARCHAR(40), category ENUM('books','games','music'), day DATE, seen DATETIME, doc JSON)
                """);
        TestMariaDb.execute(db, """
                INSERT INTO wide
                SELECT seq, IF(seq % 10 = 0, NULL, seq % 1000), (seq % 10000) / 100, SIN(seq) * 1000,
                       IF(seq % 7 = 0, NULL, CONCAT('customer-', seq * 13 % 29989)), ELT(1 + seq % 3, 'books', 'games', 'music'),
                       DATE_ADD('2020-01-01', INTERVAL seq % 1500 DAY), TIMESTAMP('2024-01-01 10:00:00') + INTERVAL seq MINUTE,
                       JSON_OBJECT('n', seq % 17)
                FROM seq_1_to_30000
                """);
        TestMariaDb.execute(db, "CREATE TABLE small (id INT PRIMARY KEY, v INT, w VARCHAR(10))");
        TestMariaDb.execute(db, "INSERT INTO small SELECT seq, seq % 10, CONCAT('w', seq % 3) FROM seq_1_to_200");
        TestMariaDb.execute(db, "CREATE TABLE nokey (v INT, w VARCHAR(10))");
        TestMariaDb.execute(db, "INSERT INTO nokey SELECT seq, CONCAT('w', seq % 7) FROM seq_1_to_30000");
        TestMariaDb.execute(db, "CREATE TABLE uuid_keyed (id CHAR(36) PRIMARY KEY, v INT, w VARCHAR(10))");
        TestMariaDb.execute(db, "INSERT INTO uuid_keyed SELECT MD5(seq), seq % 100, CONCAT('w', seq % 7) FROM seq_1_to_30000");
        TestMariaDb.execute(db, "ANALYZE TABLE wide, small, nokey, uuid_keyed");
        registry = new SimpleMeterRegistry();
        database = new Database(TestMariaDb.config(db), ConfigLoader.load(Map.of()).sql(), Optional.of(registry));
    }

    @AfterAll
    static void drop() {
        if (database != null) {
            database.close();
        }
        TestMariaDb.drop(db);
    }

    private static ProfileService service(SchemaConfig config) {
        SchemaService schema = new SchemaService(database, config, Clock.systemUTC(), new MySqlIntrospector());
        schema.schema(); // read now: the connections counted below are the profile's own
        return new ProfileService(database, schema, config, new MySqlTableProfiler(config));
    }

    /** Connections the agent's pool has handed out so far. */
    private static long acquired() {
        return registry.get("hikaricp.connections.acquire").tag("pool", Database.DEFAULT_POOL_NAME).timer().count();
    }

    private static TableProfile oneConnection(String table, SchemaConfig config) throws Exception {
        return oneConnection(table, config, DistributionMode.AUTO);
    }

    private static TableProfile oneConnection(String table, SchemaConfig config, DistributionMode mode) throws Exception {
        return MySqlProfilerIT.profileOnOneConnection(db, table, config, mode);
    }

    private static void assertSameProfile(TableProfile split, TableProfile single) {
        assertThat(split.rowCount()).isEqualTo(single.rowCount());
        assertThat(split.sampled()).isEqualTo(single.sampled());
        assertThat(split.sample()).isEqualTo(single.sample());
        assertThat(split.note()).isEqualTo(single.note());
        assertThat(split.columns()).isEqualTo(single.columns());
    }

    /** The profile through the service, checked equal to the one-connection profile, and the connections it took. */
    private static TableProfile profiledWithConnections(SchemaConfig config, String table, int connections)
            throws Exception {
        return profiledWithConnections(service(config), config, table, DistributionMode.AUTO, connections);
    }

    private static TableProfile profiledWithConnections(ProfileService profiles, SchemaConfig config, String table,
                                                        DistributionMode mode, int connections) throws Exception {
        long before = acquired();
        TableProfile profile = profiles.profile(db + "." + table, mode);
        assertThat(acquired() - before).as("connections taken").isEqualTo(connections);
        assertSameProfile(profile, oneConnection(table, config, mode));
        return profile;
    }

    @Test
    void aLargeTableReadInFullIsProfiledOnTwoConnectionsWithTheOneConnectionResult() throws Exception {
        // Its own connection, and the spare once per pass (the first pass and the distribution statement).
        TableProfile split = profiledWithConnections(EXACT, "wide", 3);
        assertThat(split.sampled()).isFalse();
        assertThat(split.rowCount()).isEqualTo(30_000);
        assertThat(split.columns()).hasSize(9);
        assertThat(split.columns().get(1).nullCount()).hasValue(3_000L);
    }

    @Test
    void aSampledLargeTableIsProfiledOnTwoConnectionsWithTheOneConnectionResult() throws Exception {
        assertThat(profiledWithConnections(SAMPLED, "wide", 3).sampled()).isTrue();
    }

    @Test
    void aTableSampledByKeyRunsIsProfiledOnTwoConnectionsWithTheOneConnectionResult() throws Exception {
        TableProfile sampled = profiledWithConnections(SAMPLED, "uuid_keyed", 3);
        assertThat(sampled.sample()).hasValueSatisfying(info -> assertThat(info.method()).isEqualTo("PRIMARY_KEY_RUNS"));
    }

    @Test
    void aProfileTakesNoSecondConnectionWhenItsSlotIsTheOnlyOne() throws Exception {
        profiledWithConnections(ONE_SLOT, "wide", 1);
    }

    @Test
    void aSmallTableIsProfiledOnOneConnection() throws Exception {
        profiledWithConnections(EXACT, "small", 1);
    }

    @Test
    void theSpareIsGivenBackAfterEachStatementSoTheNextProfileSplitsToo() throws Exception {
        ProfileService profiles = service(EXACT);
        profiledWithConnections(profiles, EXACT, "wide", DistributionMode.AUTO, 3);
        profiledWithConnections(profiles, EXACT, "wide", DistributionMode.AUTO, 3);
    }

    @Test
    void aWholeTableDistributionKeepsToOneConnectionAndOnlyTheFirstPassSplits() throws Exception {
        TableProfile exact = profiledWithConnections(service(EXACT), EXACT, "wide", DistributionMode.EXACT, 2);
        assertThat(exact.columns().get(1).quantilesMethod()).hasValue("exact");
    }

    @Test
    void aRandSampleThatReadsTheWholeTableIsNotReadTwice() throws Exception {
        TableProfile sampled = profiledWithConnections(SAMPLED, "nokey", 1);
        assertThat(sampled.sample()).hasValueSatisfying(info -> assertThat(info.method()).isEqualTo("RAND"));
    }
}
