package dev.dea.datasource;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.config.DbConfig;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.DatasourcesFiles;
import dev.dea.testing.TestPostgres;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** One agent serving two PostgreSQL databases, named "sales" (the default) and "hr". */
class SeveralDatasourcesIT {
    private static String salesDb;
    private static String hrDb;
    private static AgentHarness agent;

    @BeforeAll
    static void start() throws Exception {
        salesDb = TestPostgres.freshDatabase("dea_it_ds_sales");
        hrDb = TestPostgres.freshDatabase("dea_it_ds_hr");
        try (Connection c = TestPostgres.connect(salesDb); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id int PRIMARY KEY, amount numeric); INSERT INTO orders VALUES (1, 10), (2, 20)");
        }
        try (Connection c = TestPostgres.connect(hrDb); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE staff (id int PRIMARY KEY, name text); INSERT INTO staff VALUES (1, 'ada'), (2, 'bob'), (3, 'cy')");
        }
        Map<String, DbConfig> datasources = new LinkedHashMap<>();
        datasources.put("sales", TestPostgres.config(salesDb));
        datasources.put("hr", TestPostgres.config(hrDb));
        DatasourcesFiles file = DatasourcesFiles.write(datasources);
        agent = AgentHarness.startWithDatasources(file.file(), file.env());
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        TestPostgres.drop(salesDb);
        TestPostgres.drop(hrDb);
    }

    @Test
    void listsEveryDatasourceWithItsServerStateAndWhichIsTheDefault() {
        var r = agent.get("/datasources");
        assertThat(r.status()).isEqualTo(200);
        JsonNode list = r.json().path("datasources");
        assertThat(list).hasSize(2);
        assertThat(list.get(0).path("name").asText()).isEqualTo("sales");
        assertThat(list.get(0).path("default").asBoolean()).isTrue();
        assertThat(list.get(1).path("name").asText()).isEqualTo("hr");
        assertThat(list.get(1).path("default").asBoolean()).isFalse();
        for (JsonNode d : list) {
            assertThat(d.path("dialect").asText()).isEqualTo("postgresql");
            assertThat(d.path("status").asText()).isEqualTo("up");
            assertThat(d.path("server").path("product").asText()).isEqualTo("PostgreSQL");
            assertThat(d.path("server").path("version").asText()).isNotBlank();
        }
        // Who the agent logs in as, and where, is the operator's business, not the caller's.
        assertThat(r.body()).doesNotContain("postgres\"").doesNotContain("127.0.0.1").doesNotContain("password");
    }

    @Test
    void healthReportsEachDatasource() {
        var r = agent.getAnonymously("/health");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("datasources")).hasSize(2);
        assertThat(r.json().path("datasources").get(1).path("status").asText()).isEqualTo("up");
    }

    @Test
    void schemaIsTheNamedDatasourcesAndTheDefaultOneWhenNoneIsNamed() {
        assertThat(tableNames(agent.get("/schema").json())).contains("orders").doesNotContain("staff");
        assertThat(tableNames(agent.get("/schema?datasource=sales").json())).contains("orders").doesNotContain("staff");
        assertThat(tableNames(agent.get("/schema?datasource=hr").json())).contains("staff").doesNotContain("orders");
        var refreshed = agent.post("/schema/refresh?datasource=hr", "");
        assertThat(refreshed.status()).isEqualTo(200);
        assertThat(tableNames(refreshed.json())).contains("staff");
    }

    @Test
    void profilesATableOfTheNamedDatasource() {
        var r = agent.get("/schema/staff/profile?datasource=hr");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("row_count").asLong()).isEqualTo(3);
        assertThat(agent.get("/schema/staff/profile").status()).isEqualTo(404);
    }

    @Test
    void executesSqlOnTheNamedDatasourceAndOnTheDefaultWhenNoneIsNamed() {
        var onHr = agent.post("/execute", "{\"language\":\"sql\",\"datasource\":\"hr\",\"code\":\"SELECT count(*) AS n FROM staff\"}");
        assertThat(onHr.status()).isEqualTo(200);
        assertThat(onHr.json().path("data").path("rows").get(0).get(0).asLong()).isEqualTo(3);
        var onDefault = agent.sql("SELECT sum(amount) AS total FROM orders");
        assertThat(onDefault.status()).isEqualTo(200);
        assertThat(onDefault.json().path("data").path("rows").get(0).get(0).asText()).startsWith("30");
        var wrongPlace = agent.sql("SELECT count(*) FROM staff");
        assertThat(wrongPlace.status()).isEqualTo(400);
        assertThat(agent.get("/metrics").body())
                .containsPattern("dea_sql_executions_total\\{datasource=\"hr\",outcome=\"success\"} [1-9]")
                .containsPattern("dea_sql_executions_total\\{datasource=\"sales\",outcome=\"sql_error\"} [1-9]");
    }

    @Test
    void everyDatasourceHasItsPoolMetersAndAnUpGauge() {
        String metrics = agent.get("/metrics").body();
        assertThat(metrics)
                .containsPattern("hikaricp_connections_max\\{pool=\"dea-db\"} [1-9]")
                .containsPattern("hikaricp_connections_max\\{pool=\"dea-db-hr\"} [1-9]")
                .contains("dea_datasource_up{datasource=\"sales\"} 1.0")
                .contains("dea_datasource_up{datasource=\"hr\"} 1.0");
    }

    @Test
    void jobsRunOnTheNamedDatasourceAndAnUnknownNameIsRefusedBeforeQueueing() throws Exception {
        var profile = agent.send(asyncRequest("/schema/staff/profile?datasource=hr").GET().build());
        assertThat(profile.status()).as(profile.body()).isEqualTo(202);
        JsonNode profiled = awaitEnd(profile.json().path("job_id").asText());
        assertThat(profiled.path("status").asText()).as(profiled.toString()).isEqualTo("succeeded");
        assertThat(profiled.path("datasource").asText()).isEqualTo("hr");
        assertThat(profiled.path("result").path("row_count").asLong()).isEqualTo(3);

        var sql = agent.send(asyncRequest("/execute").header("Content-Type", "application/json").POST(
                java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"language\":\"sql\",\"datasource\":\"hr\",\"code\":\"SELECT count(*) FROM staff\"}")).build());
        assertThat(sql.status()).isEqualTo(202);
        assertThat(awaitEnd(sql.json().path("job_id").asText()).path("status").asText()).isEqualTo("succeeded");

        assertThat(agent.send(asyncRequest("/schema/staff/profile?datasource=nope").GET().build()).status()).isEqualTo(404);
        assertThat(agent.send(asyncRequest("/execute").header("Content-Type", "application/json").POST(
                java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"language\":\"sql\",\"datasource\":\"nope\",\"code\":\"SELECT 1\"}")).build()).status())
                .isEqualTo(404);
    }

    private static java.net.http.HttpRequest.Builder asyncRequest(String path) {
        return java.net.http.HttpRequest.newBuilder(agent.uri(path)).header("Authorization", "Bearer " + AgentHarness.TOKEN)
                .header("Prefer", "respond-async");
    }

    private static JsonNode awaitEnd(String id) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = agent.get("/jobs/" + id).json();
            if (!job.path("status").asText().equals("running") && !job.path("status").asText().equals("queued")) {
                return job;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("job " + id + " did not end");
    }

    @Test
    void anUnknownDatasourceIsNotFoundAndTheAnswerListsTheAvailableOnes() {
        for (var r : List.of(agent.get("/schema?datasource=nope"), agent.get("/schema/staff/profile?datasource=nope"),
                agent.post("/execute", "{\"language\":\"sql\",\"datasource\":\"nope\",\"code\":\"SELECT 1\"}"))) {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.errorType()).isEqualTo("NOT_FOUND");
            assertThat(r.json().path("detail").path("message").asText()).contains("nope").contains("sales, hr");
        }
    }

    @Test
    void anEmptyDatasourceInAJsonBodyIsRefusedRatherThanTakenForTheDefault() {
        for (String empty : List.of("\"\"", "\"  \"")) {
            var r = agent.post("/execute", "{\"language\":\"sql\",\"datasource\":" + empty + ",\"code\":\"SELECT 1\"}");
            assertThat(r.status()).as(r.body()).isEqualTo(400);
            assertThat(r.errorType()).isEqualTo("VALIDATION_ERROR");
            assertThat(r.json().path("detail").path("message").asText()).contains("'datasource'").contains("omit it");
        }
    }

    @Test
    void auditTrailAndFrameProvenanceNameTheDatasource() throws Exception {
        var r = agent.post("/execute", "{\"language\":\"sql\",\"datasource\":\"hr\",\"code\":\"SELECT name FROM staff WHERE id = 2\"}");
        assertThat(r.status()).isEqualTo(200);
        String key = r.json().path("cache_key").asText();
        var frame = agent.get("/frames/" + key);
        assertThat(frame.status()).isEqualTo(200);
        assertThat(frame.json().path("provenance").path("datasource").asText()).isEqualTo("hr");
        String auditLog = agent.services().config().audit().path().toString();
        List<String> lines = new ArrayList<>(Files.readAllLines(java.nio.file.Path.of(auditLog)));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("WHERE id = 2").contains("\"datasource\":\"hr\""));
        var history = agent.get("/executions?datasource=hr");
        assertThat(history.status()).isEqualTo(200);
        assertThat(history.body()).contains(key).doesNotContain("orders");
    }

    @Test
    void mcpToolsTakeTheDatasourceByName() throws Exception {
        var transport = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + agent.uri("/").getPort())
                .endpoint("/mcp")
                .requestBuilder(java.net.http.HttpRequest.newBuilder().header("Authorization", "Bearer " + AgentHarness.TOKEN))
                .build();
        try (McpSyncClient client = McpClient.sync(transport).requestTimeout(java.time.Duration.ofSeconds(60)).build()) {
            client.initialize();
            var sql = client.callTool(new McpSchema.CallToolRequest("run_sql",
                    Map.of("sql", "SELECT count(*) AS n FROM staff", "datasource", "hr")));
            assertThat(sql.isError()).as("%s", sql.content()).isFalse();
            assertThat(text(sql)).contains("\"row_count\":1");
            var schema = client.callTool(new McpSchema.CallToolRequest("describe_schema", Map.of("datasource", "hr")));
            assertThat(text(schema)).contains("staff").doesNotContain("orders");
            var profile = client.callTool(new McpSchema.CallToolRequest("profile_table",
                    Map.of("table", "staff", "datasource", "hr")));
            assertThat(profile.isError()).as("%s", profile.content()).isFalse();
            var unknown = client.callTool(new McpSchema.CallToolRequest("run_sql", Map.of("sql", "SELECT 1", "datasource", "nope")));
            assertThat(unknown.isError()).isTrue();
            assertThat(text(unknown)).contains("NOT_FOUND").contains("sales, hr");
        }
    }

    private static String text(McpSchema.CallToolResult result) {
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }

    private static List<String> tableNames(JsonNode schema) {
        List<String> names = new ArrayList<>();
        schema.path("schema").path("tables").forEach(t -> names.add(t.path("name").asText()));
        return names;
    }
}
