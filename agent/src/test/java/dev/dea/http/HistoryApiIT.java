package dev.dea.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /executions} over real HTTP on a real PostgreSQL, across a restart of the agent. */
class HistoryApiIT {
    private static String database;
    private static Path auditLog;

    @BeforeAll
    static void createDatabase() throws Exception {
        database = TestPostgres.freshDatabase("dea_it_history");
        auditLog = Files.createTempDirectory("dea-history-audit-").resolve("audit.log");
    }

    @AfterAll
    static void dropDatabase() {
        TestPostgres.drop(database);
    }

    @Test
    void listsWhatRanNewestFirstFilteredPagedAndStillAfterARestart() {
        Map<String, String> env = Map.of("AUDIT_LOG_PATH", auditLog.toString());
        String okKey;
        try (AgentHarness agent = AgentHarness.start(TestPostgres.config(database), env)) {
            AgentHarness.Reply ok = agent.sql("SELECT 1 AS one");
            assertThat(ok.status()).isEqualTo(200);
            okKey = ok.json().get("cache_key").asText();
            assertThat(agent.sql("SELECT 2 AS two\n-- second").status()).isEqualTo(200);
            assertThat(agent.sql("DROP TABLE nothing").status()).isEqualTo(400);

            AgentHarness.Reply listed = agent.get("/executions");
            assertThat(listed.status()).as(listed.body()).isEqualTo(200);
            JsonNode all = listed.json();
            assertThat(all.get("retained").asInt()).as(listed.body()).isEqualTo(3);
            JsonNode newest = all.get("executions").get(0);
            assertThat(newest.get("status").asText()).isEqualTo("rejected");
            assertThat(newest.get("error_type").asText()).isEqualTo("SQL_REJECTED");
            assertThat(newest.get("kind").asText()).isEqualTo("sql");
            assertThat(newest.get("code_sha256").asText()).hasSize(64);
            assertThat(newest.get("caller").asText()).isNotEmpty();
            JsonNode oldest = all.get("executions").get(2);
            assertThat(oldest.get("cache_key").asText()).isEqualTo(okKey);
            assertThat(oldest.get("rows").asLong()).isEqualTo(1);
            assertThat(oldest.get("code_first_line").asText()).isEqualTo("SELECT 1 AS one");

            assertThat(agent.get("/executions?status=success").json().get("executions")).hasSize(2);
            assertThat(agent.get("/executions?kind=python").json().get("executions")).isEmpty();

            List<String> paged = new ArrayList<>();
            String cursor = null;
            do {
                JsonNode page = agent.get("/executions?limit=2&order=asc"
                        + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))).json();
                page.get("executions").forEach(e -> paged.add(e.get("status").asText()));
                cursor = page.has("next_cursor") ? page.get("next_cursor").asText() : null;
            } while (cursor != null);
            assertThat(paged).containsExactly("success", "success", "rejected");

            AgentHarness.Reply bad = agent.get("/executions?limit=0&from=yesterday");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.errorType()).isEqualTo("VALIDATION_ERROR");
            assertThat(bad.body()).contains("limit").contains("from");
            assertThat(agent.getAnonymously("/executions").status()).isEqualTo(401);
        }
        try (AgentHarness restarted = AgentHarness.start(TestPostgres.config(database), env)) {
            JsonNode all = restarted.get("/executions?status=success&order=asc").json();
            assertThat(all.get("executions")).hasSize(2);
            assertThat(all.get("executions").get(0).get("cache_key").asText()).isEqualTo(okKey);
        }
    }
}
