package dev.dea.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Python step that prints or draws without assigning result_df succeeds like a notebook cell,
 * with no frame; one that does nothing at all still fails. Real HTTP, engine and image
 * (DEA_IT_SANDBOX_IMAGE names another image than dea-sandbox:latest, e.g. one built from a branch).
 */
class NotebookStepIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static AgentHarness agent;
    private static String sqlKey;

    @BeforeAll
    static void start() {
        String image = System.getenv().getOrDefault("DEA_IT_SANDBOX_IMAGE", "dea-sandbox:latest");
        agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()),
                Map.of("SANDBOX_TIMEOUT_SECONDS", "60", "SANDBOX_POOL_SIZE", "1", "SANDBOX_IMAGE", image));
        var sql = agent.sql("SELECT id, i4 FROM all_kinds ORDER BY id LIMIT 5");
        assertThat(sql.status()).as(sql.body()).isEqualTo(200);
        sqlKey = sql.json().path("cache_key").asText();
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    private static AgentHarness.Reply python(String code) {
        return agent.post("/execute", body(Map.of("language", "python", "code", code)));
    }

    private static AgentHarness.Reply onData(String code) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("cache_keys", Map.of("prev", sqlKey));
        return agent.post("/execute-on-data", body(body));
    }

    private static String body(Map<String, ?> fields) {
        try {
            return JSON.writeValueAsString(fields);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertNoFrame(JsonNode r) {
        assertThat(r.path("status").asText()).isEqualTo("success");
        assertThat(r.path("frame_created").asBoolean(true)).as(r.toString()).isFalse();
        assertThat(r.has("cache_key")).as(r.toString()).isFalse();
        assertThat(r.path("metadata").path("row_count").asLong(-1)).isZero();
        assertThat(r.path("data").path("rows")).isEmpty();
    }

    @Test
    void aStepThatOnlyPrintsSucceedsWithItsStdoutAndNoFrame() {
        var r = python("print('rows:', 6 * 7)");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertNoFrame(r.json());
        assertThat(r.json().path("stdout").asText()).isEqualTo("rows: 42\n");

        var onData = onData("print(input_data['prev']['i4'].count())");
        assertThat(onData.status()).as(onData.body()).isEqualTo(200);
        assertNoFrame(onData.json());
        assertThat(onData.json().path("stdout").asText()).isEqualTo("5\n");
        assertThat(onData.json().path("metadata").path("parent_keys").get(0).asText()).isEqualTo(sqlKey);
    }

    @Test
    void aStepThatOnlyDrawsSucceedsWithThePng() {
        var r = onData("df = input_data['prev']\nplt.plot(df['id'], df['id'] * 2)");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertNoFrame(r.json());
        JsonNode figure = r.json().path("artifacts").get(0);
        assertThat(figure.path("media_type").asText()).isEqualTo("image/png");
        byte[] png = Base64.getDecoder().decode(figure.path("data_base64").asText());
        assertThat(png[0]).isEqualTo((byte) 0x89);
        assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
    }

    @Test
    void aStepThatNeitherPrintsDrawsNorAssignsStillFails() {
        for (var r : new AgentHarness.Reply[] {python("x = 1"), onData("x = input_data['prev']")}) {
            assertThat(r.status()).as(r.body()).isEqualTo(400);
            assertThat(r.errorType()).isEqualTo("EXECUTION_ERROR");
            assertThat(r.body()).contains("NO_RESULT");
        }
    }

    @Test
    void aStepThatAssignsStillMakesAFrame() {
        var r = python("print('x')\nresult_df = pd.DataFrame({'a': [1]})");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("frame_created").asBoolean(false)).isTrue();
        assertThat(r.json().path("cache_key").asText()).hasSize(36);
    }
}
