package dev.dea.execute.mysql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.config.DbConfig;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.AgentOnDatabase;
import dev.dea.testing.SocketProxy;
import dev.dea.testing.TestMariaDb;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /execute} SQL against MariaDB through a real agent started with a MySQL DbConfig. */
class MySqlExecuteIT {
    @RegisterExtension
    static final AgentOnDatabase fixture = AgentOnDatabase.freshMariaDb("mysqldb_it_execute",
            "CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(12,2), placed DATETIME, "
                    + "status ENUM('new','paid'), note VARCHAR(50)) CHARACTER SET utf8mb4",
            "INSERT INTO orders VALUES (1, 9.50, '2024-02-29 10:00:00', 'new', 'première 😀'), "
                    + "(2, 20.00, '2024-03-01 11:30:00', 'paid', NULL), (3, 0.01, NULL, 'paid', '')")
            .env(Map.of("SQL_TIMEOUT_SECONDS", "1"));
    private static String database;
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        database = fixture.database();
        agent = fixture.agent();
    }

    @Test
    void returnsTypedColumnsAndRows() {
        var r = agent.sql("SELECT id, total, placed, status, note FROM orders ORDER BY id");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode rows = r.json().path("data").path("rows");
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).get(0).asInt()).isEqualTo(1);
        assertThat(rows.get(0).get(1).asText()).isEqualTo("9.50");
        assertThat(rows.get(0).get(2).asText()).isEqualTo("2024-02-29T10:00:00");
        assertThat(rows.get(0).get(3).asText()).isEqualTo("new");
        assertThat(rows.get(0).get(4).asText()).isEqualTo("première 😀");
        assertThat(rows.get(1).get(4).isNull()).isTrue();
        JsonNode schema = r.json().path("metadata").path("result_schema");
        assertThat(schema.get(0).path("type").asText()).isEqualTo("int64");
        assertThat(schema.get(2).path("type").asText()).isEqualTo("datetime64[ns]");
    }

    @Test
    void aResultPastMaxRowsIsTruncated() {
        try (AgentHarness small = AgentHarness.start(TestMariaDb.config(database), Map.of("SQL_MAX_ROWS", "2"))) {
            var r = small.sql("SELECT id FROM orders ORDER BY id");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().path("data").path("rows")).hasSize(2);
            assertThat(r.json().path("metadata").path("max_rows_reached").asBoolean()).isTrue();
            assertThat(r.json().path("metadata").path("row_count").asInt()).isEqualTo(2);
        }
    }

    @Test
    void theMySqlGuardRejectsWhatItMust() {
        for (String sql : new String[] {"DELETE FROM orders", "SELECT * FROM orders INTO OUTFILE '/tmp/x'",
                "SELECT LOAD_FILE('/etc/passwd')", "SELECT 1; DROP TABLE orders", "SELECT * FROM mysql.user"}) {
            var r = agent.sql(sql);
            assertThat(r.status()).as(sql + ": " + r.body()).isEqualTo(400);
            assertThat(r.errorType()).as(sql).isEqualTo("SQL_REJECTED");
        }
        // PostgreSQL syntax is not MySQL's: the MySQL guard, not the PostgreSQL one, judged it.
        assertThat(agent.sql("SELECT `id` FROM orders WHERE id = 1").status()).isEqualTo(200);
    }

    @Test
    void aDatabaseErrorIsSqlErrorWithTheServersCode() {
        var r = agent.sql("SELECT no_such_column FROM orders");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("SQL_ERROR");
        JsonNode detail = r.json().path("detail");
        assertThat(detail.path("message").asText()).contains("no_such_column").doesNotContain("conn=");
        assertThat(detail.path("error_code").asInt()).isEqualTo(1054);
        assertThat(detail.path("sqlstate").asText()).isEqualTo("42S22");
    }

    @Test
    void aSlowStatementIsATimeout() {
        // SLEEP() is denied by the guard; a long recursive count is not.
        var r = agent.sql("WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 1000) "
                + "SELECT COUNT(*) FROM r a, r b, r c");
        assertThat(r.errorType()).as(r.body()).isEqualTo("TIMEOUT");
        assertThat(r.status()).isEqualTo(400);
    }

    @Test
    void aDatabaseThatIsDownIsUnavailable() throws Exception {
        DbConfig base = TestMariaDb.config(database);
        try (SocketProxy proxy = SocketProxy.tcp(base.port())) {
            DbConfig viaProxy = new DbConfig(base.dialect(), "127.0.0.1", proxy.port(), base.user(), base.password(),
                    base.name(), base.sslMode(), Optional.empty(), base.searchPath(), 2, true);
            try (AgentHarness viaAgent = AgentHarness.start(viaProxy, Map.of())) {
                assertThat(viaAgent.sql("SELECT count(*) FROM orders").status()).isEqualTo(200);
                proxy.down();
                var r = viaAgent.sql("SELECT count(*) FROM orders");
                assertThat(r.status()).as(r.body()).isEqualTo(503);
                assertThat(r.errorType()).isEqualTo("DB_UNAVAILABLE");
                assertThat(viaAgent.get("/health").status()).isEqualTo(503);
                proxy.up();
                long deadline = System.nanoTime() + 20_000_000_000L;
                int status = 0;
                while (System.nanoTime() < deadline && status != 200) {
                    status = viaAgent.sql("SELECT count(*) FROM orders").status();
                    Thread.sleep(200);
                }
                assertThat(status).as("the agent recovers without a restart").isEqualTo(200);
            }
        }
    }
}
