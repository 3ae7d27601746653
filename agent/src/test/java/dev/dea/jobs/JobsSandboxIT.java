package dev.dea.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Python jobs on the real Docker engine: their output streams live; cancelled while running, no container is left. */
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

    @Test
    void aPythonJobsPrintedLinesStreamOverSseAsTheyArePrinted() throws Exception {
        try (AgentHarness agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()),
                Map.of("SANDBOX_TIMEOUT_SECONDS", "60"))) {
            String code = "import sys, time\\nfor i in range(3):\\n    print('tick', i)\\n    time.sleep(1)\\n"
                    + "print('warn', file=sys.stderr)\\nresult_df = pd.DataFrame({'a': [1]})";
            AgentHarness.Reply accepted = agent.send(HttpRequest.newBuilder(agent.uri("/execute"))
                    .header("Authorization", "Bearer " + AgentHarness.TOKEN).header("Prefer", "respond-async")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"language\":\"python\",\"code\":\"" + code + "\"}")).build());
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
            String id = accepted.json().get("job_id").asText();
            List<String[]> events = new ArrayList<>();   // name, data, arrival in ms
            long t0 = System.nanoTime();
            HttpResponse<java.util.stream.Stream<String>> stream = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(agent.uri("/jobs/" + id + "/events"))
                            .header("Authorization", "Bearer " + AgentHarness.TOKEN).build(),
                    HttpResponse.BodyHandlers.ofLines());
            String name = null;
            StringBuilder data = new StringBuilder();
            for (var it = stream.body().iterator(); it.hasNext(); ) {
                String line = it.next();
                if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                } else if (line.isEmpty() && name != null) {
                    events.add(new String[] {name, data.toString(), Long.toString((System.nanoTime() - t0) / 1_000_000)});
                    if (name.equals("result") || name.equals("error")) {
                        break;
                    }
                    name = null;
                    data.setLength(0);
                }
            }
            List<String> printed = events.stream().filter(e -> e[0].equals("stdout") || e[0].equals("stderr"))
                    .map(e -> e[0] + ":" + json(e[1]).get("text").asText()).toList();
            assertThat(printed).containsExactly("stdout:tick 0", "stdout:tick 1", "stdout:tick 2", "stderr:warn");
            String[] last = events.getLast();
            assertThat(last[0]).as(String.join(" | ", events.stream().map(e -> e[0]).toList())).isEqualTo("result");
            long firstTick = events.stream().filter(e -> e[0].equals("stdout")).mapToLong(e -> Long.parseLong(e[2]))
                    .findFirst().orElseThrow();
            assertThat(Long.parseLong(last[2]) - firstTick).as("'tick 0' arrived while the code still ran, "
                    + "not with its result").isGreaterThanOrEqualTo(1_500);
            assertThat(json(last[1]).get("result").get("stdout").asText()).isEqualTo("tick 0\ntick 1\ntick 2\n");
        }
    }

    @Test
    void codeWritingOutputMessagesToTheChannelItselfCannotStreamPastTheOutputLimit() throws Exception {
        try (AgentHarness agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()),
                Map.of("SANDBOX_TIMEOUT_SECONDS", "60", "SANDBOX_OUTPUT_LIMIT_BYTES", "1000"))) {
            // The runner's channel is reachable from the code (docs/sandbox-protocol.md, Trust): forge 50 x 100 chars.
            String code = "import sys\\nch = sys.modules['__main__'].CHANNEL\\nfor i in range(50):\\n"
                    + "    ch.send({'type': 'output', 'stream': 'stdout', 'text': 'x' * 100})\\nresult_df = 1";
            AgentHarness.Reply accepted = agent.send(HttpRequest.newBuilder(agent.uri("/execute"))
                    .header("Authorization", "Bearer " + AgentHarness.TOKEN).header("Prefer", "respond-async")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"language\":\"python\",\"code\":\"" + code + "\"}")).build());
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
            String id = accepted.json().get("job_id").asText();
            long deadline = System.nanoTime() + 60_000_000_000L;
            String status;
            while (!(status = agent.get("/jobs/" + id).json().get("status").asText()).equals("succeeded")
                    && !status.equals("failed")) {
                assertThat(System.nanoTime()).as("the job ends").isLessThan(deadline);
                Thread.sleep(100);
            }
            String events = HttpClient.newHttpClient().send(HttpRequest.newBuilder(agent.uri("/jobs/" + id + "/events"))
                    .header("Authorization", "Bearer " + AgentHarness.TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            long streamed = events.lines().filter(l -> l.startsWith("data:") && l.contains("\"text\""))
                    .mapToLong(l -> json(l.substring(5).strip()).get("text").asText().length()).sum();
            assertThat(streamed).as("forged output past the 1,000-byte limit is not passed on").isBetween(1L, 1_200L);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
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
