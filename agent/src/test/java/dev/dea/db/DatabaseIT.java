package dev.dea.db;

import dev.dea.config.ConfigLoader;
import dev.dea.config.DbConfig;
import dev.dea.config.SqlLimits;
import dev.dea.error.AgentException;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.SocketProxy;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The database boundary: PostgreSQL itself refuses writes, settings are pinned, outages heal by themselves. */
class DatabaseIT {
    private static String scratch;

    @BeforeAll
    static void createScratch() throws Exception {
        scratch = TestPostgres.freshDatabase("dea_it_db");
        try (Connection c = TestPostgres.connect(scratch); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x int); INSERT INTO t VALUES (1)");
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dea_it_reader') "
                    + "THEN CREATE ROLE dea_it_reader NOLOGIN; END IF; END $$");
            s.execute("GRANT SELECT ON t TO dea_it_reader");
        }
    }

    @AfterAll
    static void dropScratch() {
        TestPostgres.drop(scratch);
    }

    private static SqlLimits shortLimits() {
        return ConfigLoader.load(Map.of("SQL_TIMEOUT_SECONDS", "1")).sql();
    }

    private static SqlLimits limits() {
        return ConfigLoader.load(Map.of()).sql();
    }

    private static String text(Connection c, String sql) throws java.sql.SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void postgresRefusesWritesEvenWithoutTheGuard() {
        try (Database db = new Database(TestPostgres.config(scratch), shortLimits())) {
            assertThatThrownBy(() -> db.readOnly(c -> c.createStatement().execute("INSERT INTO t VALUES (2)")))
                    .isInstanceOfSatisfying(AgentException.class, e -> {
                        assertThat(e.type().name()).isEqualTo("SQL_ERROR");
                        assertThat(e.getMessage()).contains("read-only transaction");
                    });
            // Even a smuggled COMMIT (the guard would refuse it) leaves the session read-only.
            assertThatThrownBy(() -> db.readOnly(c -> c.createStatement().execute("COMMIT; INSERT INTO t VALUES (2)")))
                    .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.getMessage()).contains("read-only transaction"));
            assertThatThrownBy(() -> db.readOnly(c -> c.createStatement().execute("COMMIT; SELECT pg_sleep(30)")))
                    .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type().name()).isEqualTo("TIMEOUT"));
        }
        try (Connection c = TestPostgres.connect(scratch)) {
            assertThat(text(c, "SELECT count(*) FROM t")).isEqualTo("1");
        }
        catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void pinsTimeoutsSearchPathAndTimeZone() {
        try (Database db = new Database(TestPostgres.config(scratch), limits())) {
            db.readOnly(Duration.ofSeconds(7), c -> {
                assertThat(text(c, "SHOW transaction_read_only")).isEqualTo("on");
                assertThat(text(c, "SHOW statement_timeout")).isEqualTo("7s");
                assertThat(text(c, "SHOW lock_timeout")).isEqualTo("5s");
                assertThat(text(c, "SHOW idle_in_transaction_session_timeout")).isEqualTo("1min");
                assertThat(text(c, "SHOW search_path")).isEqualTo("public");
                assertThat(text(c, "SHOW TimeZone")).isEqualTo("UTC");
                return null;
            });
        }
    }

    @Test
    void rendersTimestampsInUtcWhateverTheJvmsZone() {
        java.util.TimeZone jvmZone = java.util.TimeZone.getDefault();
        java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("America/New_York"));
        try (Database db = new Database(TestPostgres.config(scratch), limits())) {
            db.readOnly(c -> {
                assertThat(text(c, "SHOW TimeZone")).isEqualTo("UTC");
                assertThat(text(c, "SELECT TIMESTAMPTZ '2026-11-21 12:00:00+01'::text")).isEqualTo("2026-11-21 11:00:00+00");
                return null;
            });
        } finally {
            java.util.TimeZone.setDefault(jvmZone);
        }
    }

    @Test
    void switchesToTheConfiguredReadOnlyRoleAndBackAfterwards() {
        DbConfig base = TestPostgres.config(scratch);
        DbConfig withRole = new DbConfig(base.dialect(), base.host(), base.port(), base.user(), base.password(), base.name(),
                base.sslMode(), Optional.of("dea_it_reader"), "public", 1, base.allowPrivilegedLogin());
        try (Database db = new Database(withRole, limits())) {
            String inside = db.readOnly(c -> text(c, "SELECT current_user"));
            assertThat(inside).isEqualTo("dea_it_reader");
            // With a pool of one, the next unit of work reuses the connection: SET LOCAL must not have leaked.
            String afterRollback = db.readOnly(c -> {
                c.rollback();
                return text(c, "SELECT current_user");
            });
            assertThat(afterRollback).isEqualTo("postgres");
        }
    }

    @Test
    void reportsAnOutageAndRecoversWithoutARestart() throws Exception {
        try (SocketProxy proxy = SocketProxy.tcp(TestPostgres.config(scratch).port())) {
            DbConfig base = TestPostgres.config(TestPostgres.fixture());
            DbConfig viaProxy = new DbConfig(base.dialect(), "127.0.0.1", proxy.port(), base.user(), base.password(),
                    base.name(), base.sslMode(), Optional.empty(), "public", 4, base.allowPrivilegedLogin());
            try (AgentHarness agent = AgentHarness.start(viaProxy, Map.of())) {
                assertThat(agent.get("/health").status()).isEqualTo(200);
                assertThat(agent.sql("SELECT count(*) FROM film").status()).isEqualTo(200);

                proxy.down();
                var health = agent.get("/health");
                assertThat(health.status()).isEqualTo(503);
                assertThat(health.json().path("database").path("status").asText()).isEqualTo("down");
                // /health needs no token: the reason is a category, never the driver's text with hosts or ports.
                assertThat(health.json().path("database").path("reason").asText()).isEqualTo("cannot connect to the database");
                assertThat(health.body()).doesNotContain(String.valueOf(proxy.port()));
                var refused = agent.sql("SELECT count(*) FROM film");
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.errorType()).isEqualTo("DB_UNAVAILABLE");

                proxy.up();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                int status = 0;
                while (System.nanoTime() < deadline && status != 200) {
                    status = agent.sql("SELECT count(*) FROM film").status();
                    if (status != 200) {
                        Thread.sleep(200);
                    }
                }
                assertThat(status).isEqualTo(200);
                assertThat(agent.get("/health").status()).isEqualTo(200);
            }
        }
    }
}
