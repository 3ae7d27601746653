package dev.dea.db;

import dev.dea.config.ConfigLoader;
import dev.dea.config.DbConfig;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a unit of work does to its session, even after ending the agent's transaction with a
 * smuggled COMMIT, is gone before the pooled connection serves the next one: a pool of one
 * proves it is the same connection (same backend pid) that comes back clean.
 */
class SessionResetIT {
    private static final long LOCK_KEY = 0x5ea5e7L;
    private static String database;

    @BeforeAll
    static void createDatabase() throws SQLException {
        database = TestPostgres.freshDatabase("dea_it_reset");
        try (Connection c = TestPostgres.connect(database); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x int); INSERT INTO t VALUES (1)");
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dea_it_reader') "
                    + "THEN CREATE ROLE dea_it_reader NOLOGIN; END IF; END $$");
        }
    }

    @AfterAll
    static void dropDatabase() {
        TestPostgres.drop(database);
    }

    private static Database poolOfOne() {
        DbConfig base = TestPostgres.config(database);
        return new Database(new DbConfig(base.dialect(), base.host(), base.port(), base.user(), base.password(),
                base.name(), base.sslMode(), Optional.empty(), "public", 1, base.allowPrivilegedLogin()),
                ConfigLoader.load(Map.of()).sql());
    }

    private static String text(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void run(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void nothingAUnitOfWorkDidToItsSessionReachesTheNextOne() throws SQLException {
        try (Database db = poolOfOne()) {
            String pid = db.readOnly(c -> {
                run(c, "SELECT pg_advisory_lock(" + LOCK_KEY + ")");
                run(c, "PREPARE dea_leak AS SELECT 42");
                // Ends the agent's READ ONLY transaction: from here on the session-level changes commit.
                run(c, "COMMIT");
                run(c, "SELECT set_config('dea.leak', 'yes', false), set_config('statement_timeout', '0', false), "
                        + "set_config('default_transaction_read_only', 'off', false), set_config('TimeZone', 'Asia/Tokyo', false)");
                run(c, "LISTEN dea_leak");
                run(c, "SET ROLE dea_it_reader");
                run(c, "DECLARE dea_leak CURSOR WITH HOLD FOR SELECT 1");
                run(c, "COMMIT");
                // Checked here, so the test cannot pass because the state never existed.
                assertThat(text(c, "SELECT current_setting('dea.leak')")).isEqualTo("yes");
                assertThat(text(c, "SELECT count(*) FROM pg_listening_channels()")).isEqualTo("1");
                assertThat(text(c, "SELECT current_user")).isEqualTo("dea_it_reader");
                return text(c, "SELECT pg_backend_pid()");
            });

            try (Connection observer = TestPostgres.connect(database)) {
                assertThat(text(observer, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = " + pid))
                        .isEqualTo("0");
            }
            db.readOnly(c -> {
                assertThat(text(c, "SELECT pg_backend_pid()")).as("the same pooled connection").isEqualTo(pid);
                assertThat(text(c, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"))
                        .isEqualTo("0");
                assertThat(text(c, "SELECT coalesce(current_setting('dea.leak', true), '')")).isEmpty();
                assertThat(text(c, "SELECT count(*) FROM pg_prepared_statements WHERE name = 'dea_leak'")).isEqualTo("0");
                assertThat(text(c, "SELECT count(*) FROM pg_listening_channels()")).isEqualTo("0");
                assertThat(text(c, "SELECT count(*) FROM pg_cursors WHERE name = 'dea_leak' OR is_holdable")).isEqualTo("0");
                assertThat(text(c, "SELECT current_user")).isEqualTo("postgres");
                // Back to the agent's own session settings, not the server's defaults.
                assertThat(text(c, "SHOW TimeZone")).isEqualTo("UTC");
                assertThat(text(c, "SHOW default_transaction_read_only")).isEqualTo("on");
                assertThat(text(c, "SHOW transaction_read_only")).isEqualTo("on");
                assertThat(text(c, "SHOW statement_timeout")).isEqualTo("30s");
                assertThat(text(c, "SHOW application_name")).isEqualTo("data-execution-agent");
                return null;
            });
        }
    }

    @Test
    void theDriversOwnPreparedStatementsKeepWorkingAcrossResets() {
        try (Database db = poolOfOne()) {
            // Past pgjdbc's prepareThreshold (5), so its statements are server-side ones that DEALLOCATE ALL drops.
            for (int i = 0; i < 20; i++) {
                int n = i;
                int got = db.readOnly(c -> {
                    try (PreparedStatement ps = c.prepareStatement("SELECT x + ? FROM t")) {
                        ps.setInt(1, n);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            return rs.getInt(1);
                        }
                    }
                });
                assertThat(got).isEqualTo(n + 1);
            }
        }
    }
}
