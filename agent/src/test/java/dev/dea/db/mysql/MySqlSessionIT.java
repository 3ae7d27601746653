package dev.dea.db.mysql;

import dev.dea.config.ConfigLoader;
import dev.dea.config.SqlLimits;
import dev.dea.db.Aside;
import dev.dea.db.Database;
import dev.dea.db.QueryCancel;
import dev.dea.error.AgentException;
import dev.dea.testing.TestMariaDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The MariaDB session: the server itself refuses writes, statements are time-limited, the time zone is UTC. */
class MySqlSessionIT {
    private static String database;

    @BeforeAll
    static void createDatabase() {
        database = TestMariaDb.freshDatabase("mysqldb_it_session");
        TestMariaDb.execute(database, "CREATE TABLE t (x INT PRIMARY KEY, ts TIMESTAMP NULL) ENGINE=InnoDB");
        TestMariaDb.execute(database, "INSERT INTO t VALUES (1, '2024-01-01 12:00:00')");
    }

    @AfterAll
    static void dropDatabase() {
        TestMariaDb.drop(database);
    }

    private static SqlLimits limits(int timeoutSeconds) {
        return ConfigLoader.load(Map.of("SQL_TIMEOUT_SECONDS", String.valueOf(timeoutSeconds))).sql();
    }

    private static String text(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String query(Database db, String sql) {
        return db.readOnly(c -> text(c, sql));
    }

    private static long count() {
        try (Connection c = TestMariaDb.connect(database)) {
            return Long.parseLong(text(c, "SELECT count(*) FROM t"));
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theServerRefusesWritesSentRawThroughReadOnly() {
        try (Database db = new Database(TestMariaDb.config(database), limits(5))) {
            for (String write : new String[] {"INSERT INTO t VALUES (2, NULL)", "UPDATE t SET x = 3", "DELETE FROM t",
                    "CREATE TABLE t2 (y INT)", "DROP TABLE t"}) {
                assertThatThrownBy(() -> db.readOnly(c -> c.createStatement().execute(write)))
                        .as(write)
                        .isInstanceOfSatisfying(AgentException.class, e -> {
                            assertThat(e.type().name()).isEqualTo("SQL_ERROR");
                            assertThat(e.details()).containsKeys("error_code", "sqlstate");
                        });
            }
            // A smuggled COMMIT ends the agent's transaction; the session itself is still READ ONLY.
            assertThatThrownBy(() -> db.readOnly(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("COMMIT");
                    return s.execute("INSERT INTO t VALUES (4, NULL)");
                }
            })).isInstanceOfSatisfying(AgentException.class, e -> {
                assertThat(e.type().name()).isEqualTo("SQL_ERROR");
                assertThat(e.getMessage()).containsIgnoringCase("read only");
            });
        }
        // DROP TABLE and CREATE TABLE are DDL, which MariaDB would commit implicitly: the table must be intact.
        assertThat(count()).isEqualTo(1);
    }

    @Test
    void aStatementPastTheTimeLimitIsATimeout() {
        try (Database db = new Database(TestMariaDb.config(database), limits(1))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> query(db, "SELECT SLEEP(20) FROM t"))
                    .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type().name()).isEqualTo("TIMEOUT"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            // A unit with its own limit gets it, and the next unit is back on the configured one.
            assertThat(db.<String>readOnly(Duration.ofSeconds(30), c -> text(c, "SELECT @@max_statement_time"))).startsWith("30");
            assertThat(query(db, "SELECT @@max_statement_time")).startsWith("1");
            assertThat(query(db, "SELECT 1")).isEqualTo("1");
        }
    }

    @Test
    void theSessionIsPinnedToUtcReadOnlyUtf8mb4AndBoundedLockWaits() {
        try (Database db = new Database(TestMariaDb.config(database), limits(5))) {
            assertThat(query(db, "SELECT @@session.time_zone")).isEqualTo("+00:00");
            assertThat(query(db, "SELECT CAST(ts AS CHAR) FROM t")).isEqualTo("2024-01-01 12:00:00");
            assertThat(query(db, "SELECT @@session.tx_read_only")).isEqualTo("1");
            assertThat(query(db, "SELECT @@session.character_set_client")).isEqualTo("utf8mb4");
            assertThat(query(db, "SELECT @@session.sql_mode")).doesNotContain("ANSI_QUOTES").doesNotContain("NO_BACKSLASH_ESCAPES");
            assertThat(Long.parseLong(query(db, "SELECT @@session.innodb_lock_wait_timeout")))
                    .isBetween(1L, 60L);
            assertThat(Long.parseLong(query(db, "SELECT @@session.lock_wait_timeout"))).isBetween(1L, 60L);
        }
    }

    @Test
    void healthReportsTheServerVersion() {
        try (Database db = new Database(TestMariaDb.config(database), limits(5))) {
            assertThat(db.health().reachable()).isTrue();
            assertThat(db.health().serverVersion()).hasValueSatisfying(v -> assertThat(v).containsIgnoringCase("mariadb"));
        }
    }

    @Test
    void aCancelStopsTheRunningStatementOnTheServer() throws Exception {
        try (Database db = new Database(TestMariaDb.config(database), limits(60))) {
            QueryCancel cancel = new QueryCancel();
            long start = System.nanoTime();
            CompletableFuture<Object> running = CompletableFuture.supplyAsync(
                    () -> cancel.run(() -> query(db, "SELECT SLEEP(30) FROM t")));
            Thread.sleep(1_000);
            cancel.cancel();
            assertThatThrownBy(() -> running.get(15, TimeUnit.SECONDS)).hasCauseInstanceOf(AgentException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        }
    }

    private static long sleepsRunning() {
        try (Connection c = TestMariaDb.connect(database)) {
            return Long.parseLong(text(c, "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                    + "WHERE INFO LIKE 'SELECT SLEEP(30)%'"));
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void closingARunningAsideStopsItsStatementOnTheServer() throws Exception {
        try (Database db = new Database(TestMariaDb.config(database), limits(60))) {
            long start = System.nanoTime();
            Aside<String> aside = db.aside(c -> text(c, "SELECT SLEEP(30) FROM t"));
            Thread.sleep(1_000);
            assertThat(sleepsRunning()).as("the aside's statement runs on the server").isEqualTo(1);
            aside.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
            assertThat(sleepsRunning()).isZero();
            assertThat(query(db, "SELECT 1")).isEqualTo("1");
        }
    }

    @Test
    void aCancelOfTheCallersWorkStopsTheAsideItWaitsFor() throws Exception {
        try (Database db = new Database(TestMariaDb.config(database), limits(60))) {
            QueryCancel cancel = new QueryCancel();
            long start = System.nanoTime();
            CompletableFuture<String> running = CompletableFuture.supplyAsync(() -> cancel.run(() -> db.readOnly(c -> {
                try (Aside<String> aside = db.aside(c2 -> text(c2, "SELECT SLEEP(30) FROM t"))) {
                    return aside.join();
                }
            })));
            Thread.sleep(1_000);
            cancel.cancel();
            assertThatThrownBy(() -> running.get(15, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(java.util.concurrent.CancellationException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
            assertThat(sleepsRunning()).isZero();
        }
    }

    @Test
    void anAsidesFailureReachesJoinAsReadOnlyReportsIt() {
        try (Database db = new Database(TestMariaDb.config(database), limits(5));
             Aside<String> aside = db.aside(c -> text(c, "SELECT nothing FROM no_such_table"))) {
            assertThatThrownBy(aside::join).isInstanceOfSatisfying(AgentException.class, e -> {
                assertThat(e.type().name()).isEqualTo("SQL_ERROR");
                assertThat(e.getMessage()).contains("no_such_table");
            });
        }
    }

    @Test
    void anUnreachableServerIsUnavailable() {
        var base = TestMariaDb.config(database);
        var nowhere = new dev.dea.config.DbConfig(base.dialect(), "127.0.0.1", 1, base.user(), base.password(), base.name(),
                "disable", java.util.Optional.empty(), base.searchPath(), 2, true);
        try (Database db = new Database(nowhere, limits(5))) {
            assertThatThrownBy(() -> query(db, "SELECT 1"))
                    .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type().name()).isEqualTo("DB_UNAVAILABLE"));
            assertThat(db.health().reachable()).isFalse();
            assertThat(db.health().reason()).hasValue("cannot connect to the database");
        }
    }
}
