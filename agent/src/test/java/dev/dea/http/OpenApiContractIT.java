package dev.dea.http;

import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The served /openapi.json describes exactly the routes the real agent registers, and who may read it. */
class OpenApiContractIT {
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        agent = AgentHarness.start(TestPostgres.fixture());
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    @Test
    void everyRegisteredRouteIsDocumentedAndEveryDocumentedOneIsRegistered() {
        var document = agent.getAnonymously("/openapi.json").json();
        var registered = RouteContract.registered(agent.app());
        assertThat(RouteContract.mismatches(registered, RouteContract.documented(document))).isEmpty();
        assertThat(registered).contains("GET /health", "GET /schema", "POST /schema/refresh", "GET /schema/{table}/profile",
                "POST /execute", "POST /execute-on-data", "GET /frames/{key}", "GET /frames/{key}/data",
                "DELETE /frames/{key}", "GET /openapi.json", "GET /docs");
    }

    @Test
    void theReferenceIsPublicWhileTheDataStaysBehindTheToken() {
        var doc = agent.getAnonymously("/openapi.json");
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.header("Content-Type")).startsWith("application/json");
        assertThat(doc.json().path("openapi").asText()).isEqualTo("3.1.0");
        assertThat(agent.getAnonymously("/docs").status()).isEqualTo(200);
        assertThat(agent.getAnonymously("/docs/swagger-ui-bundle.js").status()).isEqualTo(200);
        assertThat(agent.getAnonymously("/schema").status()).isEqualTo(401);
        // What the document says about access matches what the agent enforces.
        assertThat(doc.json().at("/paths/~1docs/get/security").isArray()).isTrue();
        assertThat(doc.json().at("/paths/~1docs/get/security")).isEmpty();
        assertThat(doc.json().at("/paths/~1schema/get/security").isMissingNode()).isTrue();
        assertThat(doc.json().at("/security/0/bearerAuth").isArray()).isTrue();
    }

    @Test
    void docsEnabledFalseRemovesTheReferenceAndItsRoutes() {
        try (AgentHarness quiet = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()), Map.of("DOCS_ENABLED", "false"))) {
            var registered = RouteContract.registered(quiet.app());
            assertThat(registered).noneMatch(e -> e.contains("/docs") || e.contains("/openapi.json"));
            var reply = quiet.send(HttpRequest.newBuilder(quiet.uri("/openapi.json")).GET().build());
            // Not public any more: without a token the caller learns nothing, with one it is a plain 404.
            assertThat(reply.status()).isEqualTo(401);
            assertThat(quiet.get("/openapi.json").status()).isEqualTo(404);
            assertThat(quiet.get("/docs").errorType()).isEqualTo("NOT_FOUND");
        }
    }
}
