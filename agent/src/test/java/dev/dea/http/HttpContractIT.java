package dev.dea.http;

import dev.dea.identity.AgentIdentity;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Authentication, request ids and the error contract for malformed input, over real HTTP. */
class HttpContractIT {
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()), Map.of("MAX_REQUEST_BYTES", "64KB"));
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
    void healthSaysWhichAgentAnsweredByIdAndVersion() {
        var r = agent.send(request("/health").GET().build());
        // No AGENT_ID here: the id derived from the host and this agent's own cache directory.
        assertThat(r.json().path("agent_id").asText())
                .isEqualTo(AgentIdentity.of(agent.services().config()).id())
                .matches("dea-.+-[0-9a-f]{8}");
        assertThat(r.json().path("version").asText()).isEqualTo(AgentIdentity.VERSION).isNotBlank();
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
    void anInventedMethodIs405BeforeAuthenticationAndJavalinNeverSeesIt() throws Exception {
        var r = agent.send(request("/execute").method("XYZZY" + System.nanoTime(), HttpRequest.BodyPublishers.noBody()).build());
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.errorType()).isEqualTo("METHOD_NOT_ALLOWED");
        // Javalin keeps every method name it is handed in this static map, for the life of the process.
        var methods = io.javalin.http.HandlerType.class.getDeclaredField("METHOD_MAP");
        methods.setAccessible(true);
        assertThat(((Map<?, ?>) methods.get(null)).keySet()).isNotEmpty()
                .noneMatch(name -> name.toString().startsWith("XYZZY"));
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
    void aFieldGivenTwiceIsAValidationErrorNotTheLastOneSilently() {
        var r = agent.post("/execute", "{\"language\": \"sql\", \"code\": \"SELECT 1\", \"code\": \"SELECT 2\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("VALIDATION_ERROR");
        assertThat(r.json().path("detail").path("message").asText()).contains("Duplicate field 'code'");
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

    @Test
    void deeplyNestedJsonIsAValidationErrorNotAnInternalOne() {
        var r = agent.post("/execute", "[".repeat(5_000) + "]".repeat(5_000));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("VALIDATION_ERROR");
        assertThat(r.json().path("detail").path("message").asText()).contains("not valid JSON").contains("nesting depth");
    }

    @Test
    void codeWithANulCharacterIsAValidationErrorNotADatabaseOutage() {
        var sql = agent.post("/execute", "{\"language\":\"sql\",\"code\":\"select 'a\\u0000b'\"}");
        assertThat(sql.status()).isEqualTo(400);
        assertThat(sql.errorType()).isEqualTo("VALIDATION_ERROR");
        assertThat(sql.json().path("detail").path("message").asText()).contains("NUL character");
        var python = agent.post("/execute", "{\"language\":\"python\",\"code\":\"x = 1\\u0000\"}");
        assertThat(python.status()).isEqualTo(400);
        assertThat(python.errorType()).isEqualTo("VALIDATION_ERROR");
        assertThat(agent.sql("select 1 as still_up").status()).isEqualTo(200);
    }

    @Test
    void codeWithALoneSurrogateIsRejectedInsteadOfRunningWithAQuestionMark() {
        var lone = agent.post("/execute", "{\"language\":\"sql\",\"code\":\"select '\\ud800' as v\"}");
        assertThat(lone.status()).isEqualTo(400);
        assertThat(lone.json().path("detail").path("message").asText()).contains("unpaired UTF-16 surrogate");
        var paired = agent.post("/execute", "{\"language\":\"sql\",\"code\":\"select '\\ud83d\\ude00' as v\"}");
        assertThat(paired.status()).isEqualTo(200);
        assertThat(paired.json().path("data").path("rows").path(0).path(0).asText()).isEqualTo("\ud83d\ude00");
    }

    @Test
    void requestsThatBreakHttpGetTheErrorShapeInsteadOfJettysPage() throws IOException {
        JsonNode nul = rawReply("GET /schema/a%00b/profile HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertThat(nul.path("status").asInt()).isEqualTo(400);
        assertThat(nul.path("body").path("detail").path("type").asText()).isEqualTo("VALIDATION_ERROR");
        assertThat(nul.path("request_id").asText()).matches("[0-9a-f-]{36}");
        JsonNode headers = rawReply("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000)
                + "\r\nConnection: close\r\n\r\n");
        assertThat(headers.path("status").asInt()).isEqualTo(431);
        assertThat(headers.path("body").path("detail").path("type").asText()).isEqualTo("VALIDATION_ERROR");
        assertThat(headers.path("body").path("detail").path("message").asText()).isNotBlank();
    }

    /** Sends {@code request} as raw bytes (java.net.http refuses to send such requests); status, body as JSON and request id. */
    private static JsonNode rawReply(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", agent.app().port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = reply.indexOf("\r\n\r\n");
            assertThat(split).as("reply: %s", reply).isPositive();
            String head = reply.substring(0, split);
            assertThat(head).containsIgnoringCase("Content-Type: application/json");
            String requestId = head.lines().filter(l -> l.toLowerCase().startsWith("x-request-id:"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("");
            ObjectMapper json = new ObjectMapper();
            var node = json.createObjectNode();
            node.put("status", Integer.parseInt(head.split(" ")[1]));
            node.set("body", json.readTree(reply.substring(split + 4)));
            node.put("request_id", requestId);
            return node;
        }
    }
}
