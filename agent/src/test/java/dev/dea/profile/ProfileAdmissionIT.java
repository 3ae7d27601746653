package dev.dea.profile;

import dev.dea.profile.postgresql.PostgresTableProfiler;
import dev.dea.schema.postgresql.PostgresIntrospector;
import dev.dea.config.SchemaConfig;
import dev.dea.db.Database;
import dev.dea.schema.SchemaService;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Profiles are expensive scans: the number running at once is bounded, and concurrent requests
 * for one table share a computation. A table locked by another session holds the profiles that
 * reach it inside PostgreSQL, where {@code pg_stat_activity} shows how many are scanning.
 */
class ProfileAdmissionIT {
    private static final SchemaConfig ONE_AT_A_TIME = new SchemaConfig(Duration.ofMinutes(5), 1_000_000, 10_000, 1);
    private static String database;
    private static Database db;
    private static ProfileService profiles;

    @BeforeAll
    static void start() {
        database = TestPostgres.fixture();
        db = ProfileServiceIT.database(database);
        profiles = new ProfileService(db, new SchemaService(db, ONE_AT_A_TIME, Clock.systemUTC(), new PostgresIntrospector()), ONE_AT_A_TIME, new PostgresTableProfiler(ONE_AT_A_TIME));
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    @Test
    void concurrentRequestsForOneTableShareOneComputation() throws Exception {
        List<TableProfile> results = whileLocked(List.of("film", "film", "film", "film"), 1);
        assertThat(results).hasSize(4).allSatisfy(p -> assertThat(p).isSameAs(results.get(0)));
        assertThat(results.get(0).rowCount()).isEqualTo(1000);
    }

    @Test
    void atMostProfileMaxConcurrentProfilesScanAtOnce() throws Exception {
        List<TableProfile> results = whileLocked(List.of("film", "actor", "film_actor"), 1);
        assertThat(results).extracting(TableProfile::rowCount).containsExactly(1000L, 200L, 3000L);
    }

    @Test
    void aProfileAfterTheSharedOneFinishedComputesAfresh() {
        TableProfile first = profiles.profile("actor");
        assertThat(profiles.profile("actor")).isNotSameAs(first);
    }

    /**
     * Locks the tables, starts one profile per entry, checks that {@code expectedScanning}
     * backends wait on the lock while every request has been made, then unlocks and collects.
     */
    private static List<TableProfile> whileLocked(List<String> tables, int expectedScanning) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tables.size());
        try (Connection locker = TestPostgres.connect(database)) {
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLE " + String.join(", ", tables.stream().distinct().toList()) + " IN ACCESS EXCLUSIVE MODE");
            }
            CountDownLatch asked = new CountDownLatch(tables.size());
            List<Future<TableProfile>> futures = new ArrayList<>();
            for (String table : tables) {
                futures.add(pool.submit(() -> {
                    asked.countDown();
                    return profiles.profile(table);
                }));
            }
            assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();
            // Long enough for every request to reach the database if nothing held it back.
            long deadline = System.nanoTime() + Duration.ofMillis(1_500).toNanos();
            int most = 0;
            while (System.nanoTime() < deadline) {
                most = Math.max(most, TestPostgres.lockWaiters(locker));
                Thread.sleep(50);
            }
            assertThat(most).isEqualTo(expectedScanning);
            locker.rollback();
            List<TableProfile> results = new ArrayList<>();
            for (Future<TableProfile> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
