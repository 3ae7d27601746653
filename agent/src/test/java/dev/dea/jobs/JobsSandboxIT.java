package dev.dea.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A Python job on the real Docker engine: cancelled while it runs, it leaves no container behind. */
class JobsSandboxIT {
    @Test
    void aCancelledPythonJobEndsCancelledAndLeavesNoContainer() throws Exception {
        try (AgentHarness agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()),
                Map.of("SANDBOX_TIMEOUT_SECONDS", "60"))) {
            String instance = agent.services().sandbox().instanceId();
            String body = "{\"language\":\"python\",\"code\":\"import time\\ntime.sleep(50)\\nresult_df = pd.DataFrame({'a': [1]})\"}";
            AgentHarness.Reply accepted = agent.send(HttpRequest.newBuilder(agent.uri("/execute"))
                    .header("Authorization", "Bearer " + AgentHarness.TOKEN).header("Prefer", "respond-async")
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertThat(accepted.status()).isEqualTo(202);
            String id = accepted.json().get("job_id").asText();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (containers(instance).isEmpty() || !agent.get("/jobs/" + id).json().get("status").asText().equals("running")) {
                assertThat(System.nanoTime()).as("the job's sandbox starts").isLessThan(deadline);
                Thread.sleep(100);
            }
            // Give the runner time to receive the code, so the cancel hits a step that is executing.
            Thread.sleep(1_000);
            JsonNode cancelled = agent.delete("/jobs/" + id).json();
            assertThat(cancelled.get("status").asText()).isEqualTo("cancelled");
            long gone = System.nanoTime() + 10_000_000_000L;
            while (!containers(instance).isEmpty()) {
                assertThat(System.nanoTime()).as("the sandbox container is removed").isLessThan(gone);
                Thread.sleep(100);
            }
            assertThat(agent.get("/jobs/" + id).json().get("status").asText()).isEqualTo("cancelled");
        }
    }

    private static String containers(String instance) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("docker", "ps", "-aq", "--filter", "label=dev.dea.sandbox.instance=" + instance)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).as("docker ps: " + out).isZero();
        return out;
    }
}
