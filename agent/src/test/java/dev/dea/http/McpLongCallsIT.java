package dev.dea.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.AgentOnDatabase;
import dev.dea.testing.TestPostgres;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Long MCP tool calls over real HTTP: progress notifications to the SDK's own client while a
 * step runs, and a client's {@code notifications/cancelled} stopping a statement in PostgreSQL
 * and a sandbox on Docker, as {@code DELETE /jobs/{id}} does.
 */
class McpLongCallsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final AgentOnDatabase fixture = AgentOnDatabase.fresh("dea_it_mcp_long",
            "CREATE TABLE blocker (id int)")
            .env(Map.of("SANDBOX_TIMEOUT_SECONDS", "60", "SQL_LOCK_TIMEOUT_SECONDS", "60"));
    private static String database;
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        database = fixture.database();
        agent = fixture.agent();
    }

    @Test
    void aCallWithAProgressTokenGetsTheLinesTheCodePrintsWhileItRuns() {
        List<McpSchema.ProgressNotification> seen = new CopyOnWriteArrayList<>();
        List<Long> seenAt = new CopyOnWriteArrayList<>();
        var transport = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + agent.uri("/").getPort())
                .endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + AgentHarness.TOKEN))
                .build();
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(120))
                .progressConsumer(n -> {
                    seen.add(n);
                    seenAt.add(System.nanoTime());
                }).build();
        try {
            client.initialize();
            String code = "import time\nfor i in range(3):\n    print('tick', i)\n    time.sleep(0.7)\nresult_df = pd.DataFrame({'a': [1]})";
            McpSchema.CallToolResult result = client.callTool(McpSchema.CallToolRequest.builder().name("run_python")
                    .arguments(Map.of("code", code)).progressToken("tok-1").build());
            long answered = System.nanoTime();
            assertThat(result.isError()).as("%s", result.content()).isFalse();
            assertThat(seen).extracting(McpSchema.ProgressNotification::message)
                    .containsExactly("stdout: tick 0", "stdout: tick 1", "stdout: tick 2");
            assertThat(seen).allSatisfy(n -> assertThat(n.progressToken()).isEqualTo("tok-1"));
            assertThat(seen).extracting(McpSchema.ProgressNotification::progress).isSorted();
            assertThat(answered - seenAt.getFirst()).as("'tick 0' came while the code ran, not with the answer")
                    .isGreaterThan(TimeUnit.MILLISECONDS.toNanos(1_000));
            // Without a token the same call is a plain JSON answer with no notification.
            seen.clear();
            assertThat(client.callTool(new McpSchema.CallToolRequest("run_python", Map.of("code", "print(1)\nresult_df = 1")))
                    .isError()).isFalse();
            assertThat(seen).isEmpty();
        } finally {
            client.close();
        }
    }

    @Test
    void aClientsCancelStopsTheRunningStatementInTheDatabase() throws Exception {
        String marker = "SELECT count(*) AS n FROM blocker /* mcp-cancel */";
        try (Connection holder = TestPostgres.connect(database); Statement st = holder.createStatement();
             Connection watcher = TestPostgres.connect(database)) {
            holder.setAutoCommit(false);
            st.execute("LOCK TABLE blocker IN ACCESS EXCLUSIVE MODE");
            String request = "{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\",\"params\":{\"name\":\"run_sql\","
                    + "\"arguments\":{\"sql\":" + JSON.writeValueAsString(marker) + "}}}";
            CompletableFuture<AgentHarness.Reply> call = CompletableFuture.supplyAsync(() -> post(request));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (backends(watcher, marker) == 0) {
                assertThat(System.nanoTime()).as("the call's statement shows in pg_stat_activity").isLessThan(deadline);
                Thread.sleep(20);
            }
            long cancelled = System.nanoTime();
            AgentHarness.Reply accepted = post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                    + "\"params\":{\"requestId\":42,\"reason\":\"the user pressed stop\"}}");
            assertThat(accepted.status()).isEqualTo(202);
            AgentHarness.Reply answer = call.get(10, TimeUnit.SECONDS);
            assertThat(System.nanoTime() - cancelled).as("the call ended within a second of the cancel")
                    .isLessThan(TimeUnit.SECONDS.toNanos(1));
            assertThat(backends(watcher, marker)).as("the statement is gone from the database").isZero();
            JsonNode result = answer.json().path("result");
            assertThat(result.path("isError").asBoolean()).as(answer.body()).isTrue();
            assertThat(JSON.readTree(result.path("content").get(0).path("text").asText()).path("type").asText())
                    .isEqualTo("CANCELLED");
            holder.rollback();
        }
    }

    @Test
    void aClientsCancelKillsTheRunningSandbox() throws Exception {
        String instance = agent.services().sandbox().instanceId();
        CompletableFuture<AgentHarness.Reply> call = CompletableFuture.supplyAsync(() -> post(
                "{\"jsonrpc\":\"2.0\",\"id\":\"py-7\",\"method\":\"tools/call\",\"params\":{\"name\":\"run_python\","
                        + "\"arguments\":{\"code\":\"import time\\ntime.sleep(50)\\nresult_df = 1\"}}}"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (JobsContainers.of(instance).isEmpty()) {
            assertThat(System.nanoTime()).as("the call's sandbox starts").isLessThan(deadline);
            Thread.sleep(100);
        }
        Thread.sleep(1_500);   // the runner has the code and sleeps in it
        assertThat(post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"py-7\"}}")
                .status()).isEqualTo(202);
        AgentHarness.Reply answer = call.get(20, TimeUnit.SECONDS);
        JsonNode result = answer.json().path("result");
        assertThat(result.path("isError").asBoolean()).as(answer.body()).isTrue();
        assertThat(JSON.readTree(result.path("content").get(0).path("text").asText()).path("type").asText())
                .isEqualTo("CANCELLED");
        long gone = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!JobsContainers.of(instance).isEmpty()) {
            assertThat(System.nanoTime()).as("the sandbox container is removed").isLessThan(gone);
            Thread.sleep(100);
        }
    }

    private static AgentHarness.Reply post(String body) {
        return agent.send(HttpRequest.newBuilder(agent.uri("/mcp"))
                .header("Authorization", "Bearer " + AgentHarness.TOKEN).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static int backends(Connection watcher, String query) throws Exception {
        try (Statement st = watcher.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%"
                     + "mcp-cancel%' AND pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The agent's sandbox containers by its instance label, through the docker CLI. */
    private static final class JobsContainers {
        static String of(String instance) throws Exception {
            Process p = new ProcessBuilder("docker", "ps", "-aq", "--filter", "label=dev.dea.sandbox.instance=" + instance)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            assertThat(p.waitFor()).as("docker ps: " + out).isZero();
            return out;
        }
    }
}
