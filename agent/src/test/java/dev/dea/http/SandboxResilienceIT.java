package dev.dea.http;

import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import dev.dea.testing.SocketProxy;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Python under pressure and through an engine outage, over real HTTP with the real engine. */
class SandboxResilienceIT {
    private static final String SLOW_STEP = "{\"language\":\"python\",\"code\":\"import time\\ntime.sleep(3)\\nresult_df = 1\"}";
    private static final String QUICK_STEP = "{\"language\":\"python\",\"code\":\"result_df = 1\"}";

    @Test
    void overCapacityIs429WithRetryAfterAndTheAgentStaysUp() throws Exception {
        try (AgentHarness agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()),
                Map.of("SANDBOX_MAX_CONCURRENT", "1", "SANDBOX_QUEUE_SIZE", "0"))) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<AgentHarness.Reply>> replies = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    replies.add(pool.submit(() -> agent.post("/execute", SLOW_STEP)));
                }
                int ok = 0;
                int limited = 0;
                for (Future<AgentHarness.Reply> f : replies) {
                    var r = f.get();
                    if (r.status() == 200) {
                        ok++;
                    } else {
                        assertThat(r.status()).as(r.body()).isEqualTo(429);
                        assertThat(r.errorType()).isEqualTo("TOO_MANY_REQUESTS");
                        assertThat(r.header("Retry-After")).matches("\\d+");
                        limited++;
                    }
                }
                assertThat(ok).isPositive();
                assertThat(limited).isPositive();
            } finally {
                pool.shutdownNow();
            }
            assertThat(agent.get("/health").status()).isEqualTo(200);
            assertThat(agent.post("/execute", QUICK_STEP).status()).isEqualTo(200);
        }
    }

    @Test
    void pythonWorksAgainWhenTheEngineReturnsWithoutARestart() throws Exception {
        String previous = System.getProperty("DOCKER_HOST");
        try (SocketProxy engine = SocketProxy.unix(Path.of("/var/run/docker.sock"))) {
            // docker-java reads DOCKER_HOST from system properties too.
            System.setProperty("DOCKER_HOST", engine.dockerHost());
            try (AgentHarness agent = AgentHarness.start(TestPostgres.fixture())) {
                assertThat(agent.post("/execute", QUICK_STEP).status()).isEqualTo(200);

                engine.down();
                var refused = agent.post("/execute", QUICK_STEP);
                assertThat(refused.status()).as(refused.body()).isEqualTo(503);
                assertThat(refused.errorType()).isEqualTo("SANDBOX_UNAVAILABLE");
                var health = agent.get("/health");
                assertThat(health.status()).as("SQL still works, so the agent is healthy").isEqualTo(200);
                assertThat(health.json().path("sandbox").path("status").asText()).isEqualTo("unavailable");
                assertThat(agent.sql("SELECT 1 AS one").status()).isEqualTo(200);

                engine.up();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                int status = 0;
                while (status != 200 && System.nanoTime() < deadline) {
                    status = agent.post("/execute", QUICK_STEP).status();
                    if (status != 200) {
                        Thread.sleep(500);
                    }
                }
                assertThat(status).isEqualTo(200);
                assertThat(agent.get("/health").json().path("sandbox").path("status").asText()).isEqualTo("up");
            }
        } finally {
            if (previous == null) {
                System.clearProperty("DOCKER_HOST");
            } else {
                System.setProperty("DOCKER_HOST", previous);
            }
        }
    }
}
