package dev.dea.execute;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a result may hold in the agent's memory: one fetched batch (SQL_RESULT_BUFFER, batches
 * sized to the rows by the driver) and the preview (PREVIEW_MAX_BYTES), whatever the row count.
 */
class ResultMemoryIT {
    /** 500 rows of 10 kB: 5 MB in all, five times the buffer, so it needs several right-sized batches. */
    private static final String WIDE_ROWS = "SELECT g, repeat('x', 10000) AS t FROM generate_series(1, 500) g";
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()),
                Map.of("SQL_RESULT_BUFFER", "1MB", "PREVIEW_MAX_BYTES", "64KB"));
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    @Test
    void largeRowsStreamInBatchesThatFitTheResultBuffer() {
        var r = agent.sql(WIDE_ROWS);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("metadata").path("row_count").asLong()).isEqualTo(500);
        String key = r.json().path("cache_key").asText();
        var csv = agent.get("/frames/" + key + "/data?format=csv");
        assertThat(csv.body().lines().count()).isEqualTo(501);
    }

    @Test
    void aRowLargerThanTheResultBufferIsResultTooLargeAndTheAgentServesOn() {
        var r = agent.sql("SELECT repeat('x', 2000000) AS huge");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("RESULT_TOO_LARGE");
        assertThat(r.json().path("detail").path("message").asText()).contains("SQL_RESULT_BUFFER");
        assertThat(agent.sql("SELECT 1 AS after").status()).isEqualTo(200);
        assertThat(agent.getAnonymously("/health").json().path("database").path("status").asText()).isEqualTo("up");
    }

    @Test
    void previewsStopAtPreviewMaxBytesAndSaySo() {
        var r = agent.sql(WIDE_ROWS);
        JsonNode metadata = r.json().path("metadata");
        // 64 kB holds six rows of 10 kB, not seven.
        assertThat(metadata.path("preview_row_count").asInt()).isEqualTo(6);
        assertThat(r.json().path("data").path("rows")).hasSize(6);
        assertThat(metadata.path("truncated").asBoolean()).isTrue();
        var frame = agent.get("/frames/" + r.json().path("cache_key").asText() + "?preview_rows=1000");
        assertThat(frame.status()).as(frame.body()).isEqualTo(200);
        assertThat(frame.json().path("data").path("rows").size()).isEqualTo(6);
        assertThat(frame.json().path("truncated").asBoolean()).isTrue();
    }
}
