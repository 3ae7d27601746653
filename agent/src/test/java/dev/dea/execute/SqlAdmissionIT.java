package dev.dea.execute;

import dev.dea.testing.AgentHarness;
import dev.dea.testing.AgentOnDatabase;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A full pool is not an outage: statements beyond SQL_MAX_CONCURRENT wait in a bounded queue and
 * are then told to retry (429 with Retry-After), a pool with every connection busy answers 429 too,
 * never 503, and /health keeps answering fast on its own connection. The statements are held
 * inside PostgreSQL by a table another session locked.
 */
class SqlAdmissionIT {
    // Every pooled connection is spoken for: two SQL slots and one profile slot.
    @RegisterExtension
    static final AgentOnDatabase fixture = AgentOnDatabase.fresh("dea_it_sqladmit",
            "CREATE TABLE busy (id int PRIMARY KEY, v text)",
            "INSERT INTO busy SELECT g, 'v' || g FROM generate_series(1, 100) g",
            "CREATE TABLE free (id int)",
            "ANALYZE")
            .env(Map.of(
                "DB_POOL_SIZE", "3", "PROFILE_MAX_CONCURRENT", "1", "SQL_MAX_CONCURRENT", "2", "SQL_QUEUE_SIZE", "1",
                "SQL_QUEUE_TIMEOUT_SECONDS", "1", "SQL_LOCK_TIMEOUT_SECONDS", "120", "SQL_TIMEOUT_SECONDS", "120"));
    private static String database;
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        database = fixture.database();
        agent = fixture.agent();
    }

    @Test
    void statementsBeyondTheSlotsGet429WithRetryAfterWhileHealthStaysFast() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try (Connection locker = TestPostgres.connect(database)) {
            // Cached before the lock, so that the profile goes straight to the table.
            assertThat(agent.post("/schema/refresh", "").status()).isEqualTo(200);
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE");
            }
            List<Future<AgentHarness.Reply>> held = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                held.add(pool.submit(() -> agent.sql("SELECT count(*) FROM busy")));
            }
            // The profile slot holds the pool's third connection.
            held.add(pool.submit(() -> agent.get("/schema/busy/profile")));
            awaitLockWaiters(3);

            // The pool's three connections are held: more statements wait in the queue or are refused at once.
            List<Future<AgentHarness.Reply>> extra = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                extra.add(pool.submit(() -> agent.sql("SELECT count(*) FROM free")));
            }
            long started = System.nanoTime();
            var health = agent.getAnonymously("/health");
            long healthMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(health.status()).isEqualTo(200);
            assertThat(healthMillis).as("/health with every pooled connection busy").isLessThan(2_000);

            for (Future<AgentHarness.Reply> f : extra) {
                AgentHarness.Reply r = f.get(30, TimeUnit.SECONDS);
                assertThat(r.status()).as(r.body()).isEqualTo(429);
                assertThat(r.errorType()).isEqualTo("TOO_MANY_REQUESTS");
                assertThat(r.header("Retry-After")).isNotNull();
                assertThat(r.json().path("detail").path("message").asText()).contains("SQL");
            }
            // Schema reads take a connection without a slot: the full pool makes them retry too (after
            // HikariCP's 5 s wait), not fail as if the database were down.
            AgentHarness.Reply schema = agent.post("/schema/refresh", "");
            assertThat(schema.status()).as(schema.body()).isEqualTo(429);
            assertThat(schema.header("Retry-After")).isNotNull();
            assertThat(schema.json().path("detail").path("message").asText()).contains("database connections are busy");

            started = System.nanoTime();
            assertThat(agent.getAnonymously("/health").status()).isEqualTo(200);
            assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(2_000);

            locker.rollback();
            for (Future<AgentHarness.Reply> f : held) {
                AgentHarness.Reply r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.status()).as(r.body()).isEqualTo(200);
            }
            assertThat(agent.sql("SELECT count(*) FROM free").status()).isEqualTo(200);
            assertThat(agent.post("/schema/refresh", "").status()).isEqualTo(200);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aQueuedStatementRunsOnceASlotFrees() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (Connection locker = TestPostgres.connect(database)) {
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE");
            }
            Future<AgentHarness.Reply> first = pool.submit(() -> agent.sql("SELECT count(*) FROM busy"));
            awaitLockWaiters(1);
            Future<AgentHarness.Reply> second = pool.submit(() -> agent.sql("SELECT count(*) FROM busy"));
            awaitLockWaiters(2);
            // Both slots held: the third waits in the queue (size 1) and gets the first freed slot.
            Future<AgentHarness.Reply> queued = pool.submit(() -> agent.sql("SELECT 1 AS one"));
            Thread.sleep(200);
            locker.rollback();
            assertThat(first.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(second.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(queued.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Asked on an autocommit connection of its own: pg_stat_activity is a snapshot taken once per
     * transaction, and the locker's transaction stays open.
     */
    private static void awaitLockWaiters(int expected) throws Exception {
        try (Connection c = TestPostgres.connect(database)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int waiting = 0;
            while (System.nanoTime() < deadline && (waiting = TestPostgres.lockWaiters(c)) < expected) {
                Thread.sleep(50);
            }
            assertThat(waiting).as("statements waiting on the locked table: %s", activity(c)).isEqualTo(expected);
        }
    }

    private static String activity(Connection c) throws SQLException {
        StringBuilder sb = new StringBuilder();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT application_name, state, wait_event_type, wait_event, left(query, 80) "
                     + "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")) {
            while (rs.next()) {
                sb.append('\n').append(rs.getString(1)).append(" | ").append(rs.getString(2)).append(" | ")
                        .append(rs.getString(3)).append(" | ").append(rs.getString(4)).append(" | ").append(rs.getString(5));
            }
        }
        return sb.toString();
    }
}
