package dev.dea.http;

import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Authentication, request ids and the error contract for malformed input, over real HTTP. */
class HttpContractIT {
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        agent = AgentHarness.start(TestPostgres.config(TestPostgres.pagila()), Map.of("MAX_REQUEST_BYTES", "64KB"));
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(agent.uri(path));
    }

    @Test
    void healthNeedsNoTokenAndReportsTheDatabase() {
        var r = agent.send(request("/health").GET().build());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("status").asText()).isEqualTo("ok");
        assertThat(r.json().path("db_dialect").asText()).isEqualTo("postgresql");
        assertThat(r.json().path("database").path("server_version").asText()).isNotBlank();
    }

    @Test
    void rejectsAMissingToken() {
        var r = agent.send(request("/schema").GET().build());
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.errorType()).isEqualTo("UNAUTHORIZED");
        // RFC 9110: a 401 names the scheme to use.
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"data-execution-agent\"");
    }

    @Test
    void rejectsAWrongToken() {
        var r = agent.send(request("/schema").header("Authorization", "Bearer " + AgentHarness.TOKEN + "x").GET().build());
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json().path("detail").path("message").asText()).isEqualTo("Invalid token");
    }

    @Test
    void rejectsANonBearerScheme() {
        var r = agent.send(request("/schema").header("Authorization", "Basic " + AgentHarness.TOKEN).GET().build());
        assertThat(r.status()).isEqualTo(401);
    }

    @Test
    void unknownRoutesNeedATokenBeforeTheyAre404() {
        assertThat(agent.send(request("/nope").GET().build()).status()).isEqualTo(401);
        var r = agent.get("/nope");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorType()).isEqualTo("NOT_FOUND");
    }

    @Test
    void wrongMethodIs405() {
        var r = agent.send(request("/execute").header("Authorization", "Bearer " + AgentHarness.TOKEN).GET().build());
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.errorType()).isEqualTo("METHOD_NOT_ALLOWED");
    }

    @Test
    void keepsAnIncomingRequestIdAndCreatesOneOtherwise() {
        var kept = agent.send(request("/health").header("X-Request-Id", "platform-req-42").GET().build());
        assertThat(kept.header("X-Request-Id")).isEqualTo("platform-req-42");
        var created = agent.send(request("/schema").GET().build());
        assertThat(created.header("X-Request-Id")).matches("[0-9a-f-]{36}");
        var unsafe = agent.send(request("/health").header("X-Request-Id", "bad id with spaces").GET().build());
        assertThat(unsafe.header("X-Request-Id")).matches("[0-9a-f-]{36}");
    }

    @Test
    void malformedJsonIsAValidationError() {
        var r = agent.post("/execute", "{\"language\": \"sql\", \"code\": ");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("VALIDATION_ERROR");
        assertThat(r.json().path("detail").path("message").asText()).contains("not valid JSON");
        assertThat(r.body()).doesNotContain("at com.").doesNotContain("Exception");
    }

    @Test
    void nonObjectBodiesAndEmptyBodiesAreValidationErrors() {
        assertThat(agent.post("/execute", "[1,2]").errorType()).isEqualTo("VALIDATION_ERROR");
        assertThat(agent.post("/execute", "").errorType()).isEqualTo("VALIDATION_ERROR");
        assertThat(agent.post("/execute", "\"sql\"").errorType()).isEqualTo("VALIDATION_ERROR");
    }

    @Test
    void missingAndMistypedFieldsNameTheField() {
        var missing = agent.post("/execute", "{\"language\":\"sql\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().path("detail").path("message").asText()).isEqualTo("Field 'code' is required");
        var mistyped = agent.post("/execute", "{\"language\":\"sql\",\"code\":42}");
        assertThat(mistyped.json().path("detail").path("message").asText()).isEqualTo("Field 'code' must be a string, got a number");
        var preview = agent.post("/execute", "{\"language\":\"sql\",\"code\":\"select 1\",\"preview_rows\":\"ten\"}");
        assertThat(preview.json().path("detail").path("message").asText()).contains("'preview_rows' must be an integer");
        var negative = agent.post("/execute", "{\"language\":\"sql\",\"code\":\"select 1\",\"preview_rows\":-1}");
        assertThat(negative.status()).isEqualTo(400);
    }

    @Test
    void unknownLanguageIsAValidationError() {
        var r = agent.post("/execute", "{\"language\":\"cobol\",\"code\":\"DISPLAY 'HI'\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("detail").path("message").asText()).contains("'sql' or 'python'");
    }

    @Test
    void oversizedBodiesAre413() {
        String big = "{\"language\":\"sql\",\"code\":\"select '" + "x".repeat(70_000) + "'\"}";
        var r = agent.post("/execute", big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.errorType()).isEqualTo("PAYLOAD_TOO_LARGE");
    }
}
