package dev.dea.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.audit.AuditLog;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every execution leaves one audit line, written before the caller has its answer. */
class AuditTrailIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()), Map.of("SQL_TIMEOUT_SECONDS", "1"));
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    /** The audit line of the request that answered {@code reply}, read right after the answer. */
    private static JsonNode lineOf(AgentHarness.Reply reply) throws Exception {
        String requestId = reply.header("X-Request-Id");
        List<String> lines = Files.readAllLines(agent.services().config().audit().path());
        for (String line : lines) {
            JsonNode node = JSON.readTree(line);
            if (node.path("request_id").asText().equals(requestId)) {
                return node;
            }
        }
        throw new AssertionError("no audit line for request " + requestId + " in " + lines);
    }

    @Test
    void recordsASuccessfulQueryWithTablesAndTheFrameWritten() throws Exception {
        String sql = "SELECT title FROM film WHERE film_id < 4";
        var r = agent.sql(sql);
        JsonNode line = lineOf(r);
        assertThat(line.path("language").asText()).isEqualTo("sql");
        assertThat(line.path("outcome").asText()).isEqualTo("success");
        assertThat(line.path("rows").asLong()).isEqualTo(3);
        assertThat(line.path("tables_touched").toString()).isEqualTo("[\"film\"]");
        assertThat(line.path("cache_key_written").asText()).isEqualTo(r.json().path("cache_key").asText());
        assertThat(line.path("code_sha256").asText()).isEqualTo(AuditLog.sha256(sql));
        assertThat(line.path("code").asText()).isEqualTo(sql);
        assertThat(line.path("caller_address").asText()).isEqualTo("127.0.0.1");
    }

    @Test
    void recordsARejectionWithItsErrorType() throws Exception {
        JsonNode line = lineOf(agent.sql("DELETE FROM film"));
        assertThat(line.path("outcome").asText()).isEqualTo("rejected");
        assertThat(line.path("error_type").asText()).isEqualTo("SQL_REJECTED");
        assertThat(line.path("cache_key_written").isNull()).isTrue();
    }

    @Test
    void recordsADatabaseError() throws Exception {
        JsonNode line = lineOf(agent.sql("SELECT no_such_column FROM film"));
        assertThat(line.path("outcome").asText()).isEqualTo("error");
        assertThat(line.path("error_type").asText()).isEqualTo("SQL_ERROR");
    }

    @Test
    void recordsATimeout() throws Exception {
        JsonNode line = lineOf(agent.sql("SELECT count(*) FROM generate_series(1, 2000000000)"));
        assertThat(line.path("outcome").asText()).isEqualTo("timeout");
        assertThat(line.path("error_type").asText()).isEqualTo("TIMEOUT");
        assertThat(line.path("duration_ms").asDouble()).isGreaterThanOrEqualTo(900);
    }

    @Test
    void recordsPythonWithTheFramesItRead() throws Exception {
        String key = agent.sql("SELECT film_id FROM film LIMIT 5").json().path("cache_key").asText();
        var r = agent.post("/execute-on-data", "{\"code\":\"result_df = input_data['f'].head(2)\",\"cache_keys\":{\"f\":\"" + key + "\"}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode line = lineOf(r);
        assertThat(line.path("language").asText()).isEqualTo("python");
        assertThat(line.path("outcome").asText()).isEqualTo("success");
        assertThat(line.path("cache_keys_read").toString()).isEqualTo("[\"" + key + "\"]");
        assertThat(line.path("rows").asLong()).isEqualTo(2);
        var failed = agent.post("/execute", "{\"language\":\"python\",\"code\":\"1/0\"}");
        assertThat(lineOf(failed).path("error_type").asText()).isEqualTo("EXECUTION_ERROR");
    }
}
