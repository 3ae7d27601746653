package dev.dea.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.auth.CanonicalRequest;
import dev.dea.auth.HmacSigner;
import dev.dea.auth.SignCommand;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** AUTH_MODE=hmac on a real agent over real HTTP: signed requests pass, everything else is 401. */
class HmacAuthIT {
    private static final String SECRET = "it-hmac-secret-0123456789abcdef-0123456789";
    private static final String PREVIOUS = "it-hmac-previous-0123456789abcdef-01234567";
    private static final String SQL_BODY = "{\"language\":\"sql\",\"code\":\"SELECT count(*) AS films FROM film\"}";

    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()), Map.of("AUTH_MODE", "hmac",
                "AGENT_HMAC_SECRET", SECRET, "AGENT_PREVIOUS_HMAC_SECRET", PREVIOUS, "MAX_REQUEST_BYTES", "64KB",
                // This class fails on purpose more often than the default limit allows from one address.
                "AUTH_FAILURE_LIMIT", "1000"));
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    /** What a caller signs and what it sends; they differ only in the tampering tests. */
    record Signed(String method, String path, String query, String body, long timestamp, String nonce, String secret) {
        static Signed post(String path, String body) {
            return new Signed("POST", path, "", body, now(), freshNonce(), SECRET);
        }

        static Signed get(String path, String query) {
            return new Signed("GET", path, query, "", now(), freshNonce(), SECRET);
        }

        String signature() {
            return new HmacSigner(secret).signatureHex(CanonicalRequest.of(method, path, query, timestamp, nonce,
                    body.getBytes(StandardCharsets.UTF_8)));
        }

        HttpRequest request() {
            return send(method, path, query, body);
        }

        /** Sends another method, path, query or body than the one signed. */
        HttpRequest send(String sentMethod, String sentPath, String sentQuery, String sentBody) {
            return HttpRequest.newBuilder(agent.uri(sentPath + (sentQuery.isEmpty() ? "" : "?" + sentQuery)))
                    .header("Content-Type", "application/json")
                    .header("X-DEA-Timestamp", Long.toString(timestamp))
                    .header("X-DEA-Nonce", nonce)
                    .header("X-DEA-Signature", signature())
                    .method(sentMethod, sentBody.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(sentBody))
                    .build();
        }
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }

    private static String freshNonce() {
        return UUID.randomUUID().toString();
    }

    private static void assertUnauthorized(AgentHarness.Reply r, String message) {
        assertThat(r.status()).as(r.body()).isEqualTo(401);
        assertThat(r.errorType()).isEqualTo("UNAUTHORIZED");
        assertThat(r.json().path("detail").path("message").asText()).contains(message);
        assertThat(r.header("WWW-Authenticate")).startsWith("DEA-HMAC-SHA256 ");
    }

    @Test
    void aSignedSqlExecutionSucceeds() {
        var r = agent.send(Signed.post("/execute", SQL_BODY).request());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("data").path("rows").get(0).get(0).asLong()).isEqualTo(1000);
    }

    @Test
    void mcpReadsTheBodyTheSignatureCheckAlreadyRead() {
        String listTools = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{}}";
        HttpRequest signed = Signed.post("/mcp", listTools).request();
        HttpRequest request = HttpRequest.newBuilder(signed, (name, value) -> true)
                .header("Accept", "application/json, text/event-stream").build();
        var r = agent.send(request);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("run_sql");
    }

    @Test
    void anUploadReadsTheBodyTheSignatureCheckAlreadyRead() {
        HttpRequest signed = Signed.post("/frames", "a,b\n1,x\n2,y\n").request();
        HttpRequest request = HttpRequest.newBuilder(signed, (name, value) -> !name.equalsIgnoreCase("Content-Type"))
                .header("Content-Type", "text/csv").build();
        var r = agent.send(request);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("row_count").asLong()).isEqualTo(2);
        assertThat(r.json().path("data").path("rows").get(1).get(1).asText()).isEqualTo("y");
    }

    @Test
    void rejectsAReplayedRequest() {
        HttpRequest request = Signed.post("/execute", SQL_BODY).request();
        assertThat(agent.send(request).status()).isEqualTo(200);
        assertUnauthorized(agent.send(request), "nonce already used (replayed request)");
    }

    @Test
    void rejectsAnExpiredTimestamp() {
        Signed old = new Signed("POST", "/execute", "", SQL_BODY, now() - 301, freshNonce(), SECRET);
        assertUnauthorized(agent.send(old.request()), "timestamp outside the allowed window of 300 s; check the caller's clock");
    }

    @Test
    void rejectsATamperedBodyPathOrQuery() {
        Signed body = Signed.post("/execute", SQL_BODY);
        assertUnauthorized(agent.send(body.send("POST", "/execute", "",
                "{\"language\":\"sql\",\"code\":\"SELECT count(*) AS films FROM film \"}")), "signature does not match");

        Signed path = Signed.post("/execute", SQL_BODY);
        assertUnauthorized(agent.send(path.send("POST", "/execute-on-data", "", SQL_BODY)), "signature does not match");

        // A documented query parameter: an unknown one would be refused (400) once the signature is checked.
        Signed query = Signed.get("/schema/film/profile", "distribution=auto");
        assertUnauthorized(agent.send(query.send("GET", "/schema/film/profile", "distribution=exact", "")),
                "signature does not match");
        assertThat(agent.send(query.request()).status()).as("the untampered request, nonce not burned").isEqualTo(200);
    }

    @Test
    void aSignedQueryStringIsCoveredAsSent() {
        String key = agent.send(Signed.post("/execute", SQL_BODY).request()).json().path("cache_key").asText();
        var r = agent.send(Signed.get("/frames/" + key, "preview_rows=1").request());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    @Test
    void rejectsABearerToken() {
        var r = agent.send(HttpRequest.newBuilder(agent.uri("/schema")).header("Authorization", "Bearer " + AgentHarness.TOKEN)
                .GET().build());
        assertUnauthorized(r, "missing X-DEA-Signature");
        assertThat(r.json().path("detail").path("message").asText()).contains("AUTH_MODE=hmac");
    }

    @Test
    void rejectsAnUnsignedRequest() {
        assertUnauthorized(agent.getAnonymously("/schema"), "missing X-DEA-Signature");
    }

    @Test
    void healthStaysPublic() {
        var r = agent.getAnonymously("/health");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("status").asText()).isEqualTo("ok");
    }

    @Test
    void acceptsThePreviousSecretDuringARotation() {
        Signed previous = new Signed("POST", "/execute", "", SQL_BODY, now(), freshNonce(), PREVIOUS);
        var r = agent.send(previous.request());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Signed unknown = new Signed("POST", "/execute", "", SQL_BODY, now(), freshNonce(), "some-other-secret-0123456789abcdef");
        assertUnauthorized(agent.send(unknown.request()), "signature does not match");
    }

    @Test
    void acceptsHeadersPrintedBySignCommand() throws Exception {
        var out = new ByteArrayOutputStream();
        int status = SignCommand.run(new String[] {"--method", "POST", "--path", "/execute", "--body", SQL_BODY, "--format", "json"},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err, Map.of("AGENT_HMAC_SECRET", SECRET));
        assertThat(status).isZero();
        JsonNode headers = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(agent.uri("/execute")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(SQL_BODY));
        headers.properties().forEach(e -> request.header(e.getKey(), e.getValue().asText()));
        var r = agent.send(request.build());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    @Test
    void anOversizedSignedBodyIsStill413() {
        String big = "{\"language\":\"sql\",\"code\":\"select '" + "x".repeat(70_000) + "'\"}";
        var r = agent.send(Signed.post("/execute", big).request());
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.errorType()).isEqualTo("PAYLOAD_TOO_LARGE");
    }

    @Test
    void failedSignaturesFeedTheThrottle() {
        try (AgentHarness strict = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()), Map.of("AUTH_MODE", "hmac",
                "AGENT_HMAC_SECRET", SECRET, "AUTH_FAILURE_LIMIT", "2", "AUTH_BLOCK_SECONDS", "60"))) {
            for (int i = 0; i < 2; i++) {
                var forged = HttpRequest.newBuilder(strict.uri("/schema")).header("X-DEA-Timestamp", Long.toString(now()))
                        .header("X-DEA-Nonce", freshNonce()).header("X-DEA-Signature", "0".repeat(64)).GET().build();
                assertThat(strict.send(forged).status()).isEqualTo(401);
            }
            Signed good = Signed.get("/schema", "");
            var blocked = strict.send(HttpRequest.newBuilder(strict.uri("/schema")).header("X-DEA-Timestamp", Long.toString(good.timestamp()))
                    .header("X-DEA-Nonce", good.nonce()).header("X-DEA-Signature", good.signature()).GET().build());
            assertThat(blocked.status()).as("even a correct signature, while blocked").isEqualTo(429);
            assertThat(blocked.errorType()).isEqualTo("TOO_MANY_REQUESTS");
        }
    }
}
