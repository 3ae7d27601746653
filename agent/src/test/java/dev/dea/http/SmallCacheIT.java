package dev.dea.http;

import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cache that holds one frame: every commit evicts the one before, yet a step's own frames
 * (its inline inputs, a sql() result on its way into the sandbox, its result being previewed)
 * are pinned until the step is done with them, so a step that succeeds never answers 404.
 */
class SmallCacheIT {
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()),
                Map.of("CACHE_MAX_FRAMES", "1", "SANDBOX_POOL_SIZE", "1", "SANDBOX_TIMEOUT_SECONDS", "60"));
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    @Test
    void twoInlineTablesAndTheResultAllSurviveACacheOfOneFrame() {
        var r = agent.post("/execute-on-data", """
                {"code": "result_df = input_data['a'].merge(input_data['b'], on='k')",
                 "input_data": {"a": {"columns": ["k", "x"], "rows": [[1, "one"], [2, "two"]]},
                                "b": {"columns": ["k", "y"], "rows": [[1, 10], [2, 20]]}}}""");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("metadata").path("row_count").asLong()).isEqualTo(2);
        assertThat(r.json().path("data").path("rows").toString()).isEqualTo("[[1,\"one\",10],[2,\"two\",20]]");
        String key = r.json().path("cache_key").asText();
        assertThat(agent.get("/frames/" + key).status()).as("the newest frame is the one kept").isEqualTo(200);
    }

    @Test
    void sqlInsideAStepAndItsResultSurviveACacheOfOneFrame() {
        var r = agent.post("/execute", """
                {"language": "python",
                 "code": "a = sql('SELECT 1 AS n')\\nb = sql('SELECT 2 AS n')\\nresult_df = pd.concat([a, b])"}""");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("data").path("rows").toString()).isEqualTo("[[1],[2]]");
    }
}
