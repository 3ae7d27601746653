package dev.dea;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.dea.http.HttpApi;
import dev.dea.platform.PlatformClient;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The running agent registers with a platform, heartbeats with its health, and deregisters. */
class PlatformLinkIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Call(String path, String authorization, JsonNode body) {
    }

    @Test
    void registersHeartbeatsAndDeregisters() throws Exception {
        List<Call> calls = new CopyOnWriteArrayList<>();
        HttpServer platform = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        platform.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            calls.add(new Call(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("Authorization"),
                    body.length == 0 ? null : JSON.readTree(body)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        platform.start();
        try (AgentHarness agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()), Map.of(
                "CORE_LOGIC_URL", "http://127.0.0.1:" + platform.getAddress().getPort(),
                "AGENT_ID", "agt-test-1", "AGENT_PUBLIC_URL", "https://agent.example.com", "HEARTBEAT_INTERVAL_SECONDS", "1"))) {
            PlatformClient client = Main.startPlatformLink(agent.services().config(), agent.services(), HttpApi.endpoints(agent.app())).orElseThrow();
            await(() -> calls.stream().anyMatch(c -> c.path().endsWith("/heartbeat")));
            client.close();
            client.close();

            Call register = calls.get(0);
            assertThat(register.path()).isEqualTo("/api/v1/agents/register");
            assertThat(register.authorization()).isEqualTo("Bearer " + AgentHarness.TOKEN);
            assertThat(register.body().path("agent_id").asText()).isEqualTo("agt-test-1");
            assertThat(register.body().path("public_url").asText()).isEqualTo("https://agent.example.com");
            assertThat(register.body().path("db_dialect").asText()).isEqualTo("postgresql");
            assertThat(register.body().path("capabilities").path("languages").toString()).isEqualTo("[\"sql\",\"python\"]");
            assertThat(register.body().path("capabilities").path("python").path("memory_mb").asInt()).isEqualTo(256);
            // What the platform tells its LLM the code may import: the sandbox image's declared versions.
            assertThat(register.body().path("capabilities").path("python").path("packages").path("pandas").asText())
                    .as(register.body().toString()).startsWith("2.");
            // The routes the app really serves, not a list kept by hand beside them.
            assertThat(register.body().path("capabilities").path("endpoints").toString())
                    .contains("\"POST /execute\"", "\"GET /schema/{table}/profile\"", "\"POST /mcp\"", "\"GET /metrics\"");

            Call heartbeat = calls.stream().filter(c -> c.path().endsWith("/heartbeat")).findFirst().orElseThrow();
            assertThat(heartbeat.path()).isEqualTo("/api/v1/agents/agt-test-1/heartbeat");
            assertThat(heartbeat.body().path("health").path("database").path("status").asText()).isEqualTo("up");
            // The DB_* variables define one datasource, named default: announced, and its state in each heartbeat.
            assertThat(register.body().path("capabilities").path("datasources").toString())
                    .startsWith("[{\"name\":\"default\",\"dialect\":\"postgresql\",\"default\":true,\"sql\":{");
            assertThat(register.body().path("capabilities").path("datasources").get(0).path("sql").path("max_rows").asLong())
                    .isEqualTo(register.body().path("capabilities").path("sql").path("max_rows").asLong());
            assertThat(heartbeat.body().path("health").path("datasources").get(0).path("status").asText()).isEqualTo("up");
            assertThat(calls.stream().filter(c -> c.path().endsWith("/deregister")).count()).isEqualTo(1);
        } finally {
            platform.stop(0);
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(condition.getAsBoolean()).as("condition within 20 s").isTrue();
    }
}
