package dev.dea.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code /mcp} on a real agent (the generated fixture, the Docker sandbox) driven by the MCP Java SDK's own
 * streamable-HTTP client, plus the HTTP-level contract: authentication, 405s, request ids.
 */
class McpIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicReference<String> NEXT_REQUEST_ID = new AtomicReference<>();
    private static AgentHarness agent;
    private static McpSyncClient client;

    @BeforeAll
    static void start() {
        agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()),
                Map.of("SANDBOX_TIMEOUT_SECONDS", "60", "SANDBOX_POOL_SIZE", "1"));
        client = client("Bearer " + AgentHarness.TOKEN);
        client.initialize();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        agent.close();
    }

    private static McpSyncClient client(String authorization) {
        var transport = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + agent.uri("/").getPort())
                .endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", authorization))
                .httpRequestCustomizer((builder, method, uri, body, context) -> {
                    String id = NEXT_REQUEST_ID.getAndSet(null);
                    if (id != null) {
                        builder.header("X-Request-Id", id);
                    }
                })
                .build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(120)).build();
    }

    private static McpSchema.CallToolResult call(String tool, Map<String, Object> args) {
        return client.callTool(new McpSchema.CallToolRequest(tool, args));
    }

    /** The JSON of the first (text) content, after checking that structuredContent says the same. */
    private static JsonNode json(McpSchema.CallToolResult result) {
        try {
            String text = ((McpSchema.TextContent) result.content().get(0)).text();
            JsonNode node = JSON.readTree(text);
            JsonNode structured = JSON.valueToTree(result.structuredContent());
            assertThat(structured).isEqualTo(node);
            return node;
        } catch (Exception e) {
            throw new AssertionError("tool result is not JSON text: " + result, e);
        }
    }

    private static JsonNode ok(McpSchema.CallToolResult result) {
        assertThat(result.isError()).as("tool error: %s", result.content()).isFalse();
        return json(result);
    }

    private static JsonNode error(McpSchema.CallToolResult result, String type) {
        assertThat(result.isError()).as("expected a tool error: %s", result.content()).isTrue();
        JsonNode detail = json(result);
        assertThat(detail.path("type").asText()).as(detail.toString()).isEqualTo(type);
        return detail;
    }

    @Test
    void initializeNamesTheServerAndItsCapabilities() {
        assertThat(client.getServerInfo().name()).isEqualTo("data-execution-agent");
        assertThat(client.getServerCapabilities().tools()).isNotNull();
        assertThat(client.getServerCapabilities().resources()).isNotNull();
        assertThat(client.getServerInstructions()).contains("describe_schema", "cache_key");
    }

    @Test
    void listsAllSevenToolsWithInputSchemasAndDescriptions() {
        List<McpSchema.Tool> tools = client.listTools().tools();
        assertThat(tools).extracting(McpSchema.Tool::name).containsExactlyInAnyOrder(
                "describe_schema", "profile_table", "run_sql", "run_python", "run_python_on_frames", "get_frame", "upload_frame");
        for (McpSchema.Tool tool : tools) {
            assertThat(tool.inputSchema()).containsEntry("type", "object").containsKey("properties");
            assertThat(tool.description()).hasSizeGreaterThan(200);
            assertThat(tool.annotations().readOnlyHint()).isTrue();
        }
        McpSchema.Tool onFrames = tools.stream().filter(t -> t.name().equals("run_python_on_frames")).findFirst().orElseThrow();
        assertThat(onFrames.inputSchema().get("required")).isEqualTo(List.of("code"));
        assertThat(onFrames.description()).contains("input_data", "result_df", "sql(", "cache_key");
        McpSchema.Tool runSql = tools.stream().filter(t -> t.name().equals("run_sql")).findFirst().orElseThrow();
        assertThat(runSql.description()).contains("SQL_REJECTED", "SELECT");
        assertThat(((Map<?, ?>) ((Map<?, ?>) runSql.inputSchema().get("properties")).get("preview_rows")).get("maximum"))
                .isEqualTo(50);
    }

    @Test
    void describeSchemaGivesAllTablesCompactlyWithPartitionsFoldedIntoTheirParent() {
        JsonNode schema = ok(call("describe_schema", Map.of()));
        JsonNode actor = null;
        JsonNode payment = null;
        JsonNode rental = null;
        for (JsonNode t : schema.path("tables")) {
            assertThat(t.path("name").asText()).doesNotStartWith("public.payment_p");
            if (t.path("name").asText().equals("public.actor")) {
                actor = t;
            }
            if (t.path("name").asText().equals("public.payment")) {
                payment = t;
            }
            if (t.path("name").asText().equals("public.rental")) {
                rental = t;
            }
        }
        assertThat(rental.path("foreign_keys").toString()).contains("inventory_id -> public.inventory(inventory_id)");
        assertThat(actor).as(schema.toString()).isNotNull();
        assertThat(actor.path("columns").get(0).asText()).isEqualTo("actor_id integer PK");
        assertThat(payment.path("kind").asText()).isEqualTo("partitioned_table");
        assertThat(payment.path("partitions").asInt()).isEqualTo(7);
        // The fixture, like Pagila, declares payment's foreign keys on its partitions only.
        assertThat(payment.path("partition_foreign_keys").toString()).contains("customer_id -> public.customer(customer_id)");
        assertThat(actor.has("foreign_keys")).isFalse();
    }

    @Test
    void describeSchemaWithATableGivesItInFull() {
        JsonNode film = ok(call("describe_schema", Map.of("table", "film")));
        assertThat(film.path("qualified_name").asText()).isEqualTo("public.film");
        assertThat(film.path("indexes").size()).isGreaterThan(0);
        assertThat(film.path("columns").get(0).path("name").asText()).isEqualTo("film_id");
        error(call("describe_schema", Map.of("table", "no_such_table")), "NOT_FOUND");
    }

    @Test
    void profileTableGivesColumnStatisticsWithoutHistograms() {
        JsonNode profile = ok(call("profile_table", Map.of("table", "film")));
        assertThat(profile.path("row_count").asLong()).isEqualTo(1000);
        JsonNode rating = null;
        for (JsonNode c : profile.path("columns")) {
            assertThat(c.has("histogram")).isFalse();
            if (c.path("name").asText().equals("rating")) {
                rating = c;
            }
        }
        assertThat(rating.path("distinct_count").asLong()).isEqualTo(5);
        assertThat(rating.path("top_values").size()).isGreaterThan(0);
    }

    @Test
    void runSqlReturnsAShortPreviewStatisticsAndACacheKey() {
        JsonNode r = ok(call("run_sql", Map.of("sql", "SELECT actor_id, first_name FROM actor ORDER BY actor_id")));
        assertThat(r.path("row_count").asLong()).isEqualTo(200);
        assertThat(r.path("rows").size()).isEqualTo(10);
        assertThat(r.path("truncated").asBoolean()).isTrue();
        assertThat(r.path("tables_read").toString()).contains("actor");
        assertThat(r.path("columns").get(0).path("stats").path("max").asInt()).isEqualTo(200);
        assertThat(r.path("cache_key").asText()).hasSize(36);

        JsonNode three = ok(call("run_sql", Map.of("sql", "SELECT 1 AS a FROM actor", "preview_rows", 3)));
        assertThat(three.path("rows").size()).isEqualTo(3);
        JsonNode tooMany = error(call("run_sql", Map.of("sql", "SELECT 1", "preview_rows", 51)), "VALIDATION_ERROR");
        assertThat(tooMany.path("message").asText()).contains("preview_rows", "50");
    }

    @Test
    void longCellsAreCutInThePreview() {
        JsonNode r = ok(call("run_sql", Map.of("sql", "SELECT repeat('x', 5000) AS big")));
        assertThat(r.path("rows").get(0).get(0).asText()).hasSizeLessThan(260).contains("[+4800 chars]");
    }

    @Test
    void rejectedSqlIsAToolErrorNamingTheGuardRule() {
        JsonNode detail = error(call("run_sql", Map.of("sql", "DELETE FROM actor")), "SQL_REJECTED");
        assertThat(detail.path("rule").asText()).isNotBlank();
        assertThat(detail.path("message").asText()).isNotBlank();
        assertThat(agent.sql("SELECT count(*) AS n FROM actor").json().path("data").path("rows").get(0).get(0).asInt())
                .isEqualTo(200);
    }

    @Test
    void badArgumentsAreValidationErrorsTheModelCanFix() {
        assertThat(error(call("run_sql", Map.of()), "VALIDATION_ERROR").path("message").asText()).contains("'sql'", "required");
        assertThat(error(call("run_sql", Map.of("query", "SELECT 1")), "VALIDATION_ERROR").path("message").asText())
                .contains("query", "sql");
        error(call("get_frame", Map.of("cache_key", "not-a-key")), "VALIDATION_ERROR");
        error(call("get_frame", Map.of("cache_key", UUID.randomUUID().toString())), "NOT_FOUND");
    }

    @Test
    void runPythonQueriesWithSqlAndReturnsStdout() {
        JsonNode r = ok(call("run_python", Map.of("code",
                "df = sql('SELECT rating, count(*) AS n FROM film GROUP BY 1')\nprint('groups', len(df))\nresult_df = df")));
        assertThat(r.path("row_count").asLong()).isEqualTo(5);
        assertThat(r.path("stdout").asText()).contains("groups 5");
        assertThat(r.path("cache_key").asText()).hasSize(36);
    }

    @Test
    void runPythonTakesExactDecimalsAsTheHttpBodyDoes() {
        String code = "df = sql('SELECT amount FROM payment LIMIT 1')\nprint(type(df['amount'].iloc[0]).__name__)\nresult_df = df";
        assertThat(ok(call("run_python", Map.of("code", code))).path("stdout").asText()).isEqualTo("float64\n");
        assertThat(ok(call("run_python", Map.of("code", code, "exact_decimals", true))).path("stdout").asText())
                .isEqualTo("Decimal\n");
    }

    @Test
    void aPythonErrorIsAToolErrorWithTheUsersLine() {
        JsonNode detail = error(call("run_python", Map.of("code", "x = 1\ny = 0\nresult_df = x / y")), "EXECUTION_ERROR");
        assertThat(detail.path("line").asInt()).isEqualTo(3);
        assertThat(detail.path("exception").asText()).contains("ZeroDivisionError");
    }

    @Test
    void runPythonOnFramesTakesSmallTablesInlineLikeExecuteOnData() {
        JsonNode out = ok(call("run_python_on_frames", Map.of("code",
                "df = input_data['rates']\nresult_df = df.assign(total=df['n'] * df['rate'])",
                "input_data", Map.of("rates", Map.of("columns", List.of("n", "rate"),
                        "rows", List.of(List.of(2, 1.5), List.of(4, 0.25)))))));
        assertThat(out.path("row_count").asLong()).as(out.toString()).isEqualTo(2);
        assertThat(out.path("cache_key").asText()).isNotEmpty();
        error(call("run_python_on_frames", Map.of("code", "result_df = 1")), "VALIDATION_ERROR");
    }

    @Test
    void chainsRunSqlIntoRunPythonOnFramesByCacheKey() {
        JsonNode sql = ok(call("run_sql", Map.of("sql", "SELECT customer_id, amount FROM payment")));
        String key = sql.path("cache_key").asText();
        JsonNode step = ok(call("run_python_on_frames", Map.of(
                "code", "df = input_data['payments']\nresult_df = df.groupby('customer_id')['amount'].sum().reset_index()",
                "cache_keys", Map.of("payments", key))));
        assertThat(step.path("parent_keys").toString()).contains(key);
        assertThat(step.path("row_count").asLong()).isEqualTo(599);
        assertThat(step.path("columns").toString()).contains("\"amount\"");

        JsonNode frame = ok(call("get_frame", Map.of("cache_key", step.path("cache_key").asText(), "preview_rows", 2)));
        assertThat(frame.path("rows").size()).isEqualTo(2);
        assertThat(frame.path("provenance").path("kind").asText()).isEqualTo("python");
        assertThat(frame.path("provenance").path("parent_keys").toString()).contains(key);

        error(call("run_python_on_frames", Map.of("code", "result_df = input_data['x']",
                "cache_keys", Map.of("x", UUID.randomUUID().toString()))), "NOT_FOUND");
    }

    @Test
    void uploadFrameCachesACsvThatLaterStepsChainOn() {
        JsonNode frame = ok(call("upload_frame", Map.of("content", "id,price,day\n1,2.50,2024-01-02\n2,,2024-02-29\n",
                "format", "csv", "name", "prices.csv", "types", "price:decimal", "preview_rows", 1)));
        assertThat(frame.path("row_count").asLong()).isEqualTo(2);
        assertThat(frame.path("provenance").path("kind").asText()).isEqualTo("upload");
        assertThat(frame.path("columns").findValuesAsText("kind")).containsExactly("int64", "decimal", "date");
        assertThat(frame.path("rows").size()).isEqualTo(1);

        JsonNode step = ok(call("run_python_on_frames", Map.of("code",
                "df = input_data['p']\nresult_df = pd.DataFrame({'n': [int(df['price'].isna().sum())], 'd': [type(df['day'][0]).__name__]})",
                "cache_keys", Map.of("p", frame.path("cache_key").asText()))));
        assertThat(step.path("rows").get(0).toString()).isEqualTo("[1,\"date\"]");
    }

    @Test
    void uploadFrameRefusesBadFilesAndEncodingsWithValidationErrors() {
        JsonNode malformed = error(call("upload_frame", Map.of("content", "a,b\n1,2\n3\n", "format", "csv")),
                "VALIDATION_ERROR");
        assertThat(malformed.toString()).contains("row");
        error(call("upload_frame", Map.of("content", "a,b\n1,2\n", "format", "xlsx", "base64", false)), "VALIDATION_ERROR");
        error(call("upload_frame", Map.of("content", "not base64!", "format", "xlsx")), "VALIDATION_ERROR");
        error(call("upload_frame", Map.of("content", "a\n1\n", "format", "parquet")), "VALIDATION_ERROR");
        // Base64 text formats are accepted too: a client that only sends bytes need not decode them.
        JsonNode jsonl = ok(call("upload_frame", Map.of("format", "jsonl", "base64", true, "content",
                Base64.getEncoder().encodeToString("{\"a\": 1}\n{\"a\": 2}\n".getBytes(StandardCharsets.UTF_8)))));
        assertThat(jsonl.path("row_count").asLong()).isEqualTo(2);
    }

    @Test
    void openFiguresComeBackAsImageContent() {
        var result = call("run_python", Map.of("code",
                "fig, ax = plt.subplots(figsize=(2, 2), dpi=50)\nax.plot([1, 2, 3])\nresult_df = pd.DataFrame({'x': [1]})"));
        JsonNode body = ok(result);
        assertThat(body.path("figures").get(0).path("media_type").asText()).isEqualTo("image/png");
        assertThat(body.toString()).doesNotContain("data_base64");
        var image = (McpSchema.ImageContent) result.content().get(1);
        assertThat(image.mimeType()).isEqualTo("image/png");
        assertThat(java.util.Base64.getDecoder().decode(image.data())).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void filesWrittenToOutDirAreListedByKeyWhileOnlyFiguresAreImageContent() {
        var result = call("run_python", Map.of("code",
                "pd.DataFrame({'a': [1]}).to_csv(OUT_DIR + '/out.csv', index=False)\nplt.plot([1, 2])"));
        JsonNode body = ok(result);
        assertThat(body.path("figures")).hasSize(1);
        JsonNode csv = body.path("artifacts").get(1);
        assertThat(csv.path("name").asText()).isEqualTo("out.csv");
        assertThat(csv.path("media_type").asText()).isEqualTo("text/csv");
        assertThat(csv.path("size_bytes").asLong()).isEqualTo("a\n1\n".length());
        assertThat(csv.path("source").asText()).isEqualTo("file");
        assertThat(agent.get("/artifacts/" + csv.path("key").asText()).body()).isEqualTo("a\n1\n");
        assertThat(result.content().stream().filter(c -> c instanceof McpSchema.ImageContent)).hasSize(1);
    }

    @Test
    void aFigureTooLargeToInlineStillComesBackAsImageContent() {
        var result = call("run_python", Map.of("code",
                "fig = plt.figure(figsize=(8, 8), dpi=100)\nplt.imshow(np.random.default_rng(1).random((800, 800, 3)))"));
        JsonNode figure = ok(result).path("artifacts").get(0);
        assertThat(figure.path("size_bytes").asLong()).isGreaterThan(256 * 1024);
        var image = (McpSchema.ImageContent) result.content().stream()
                .filter(c -> c instanceof McpSchema.ImageContent).findFirst().orElseThrow();
        assertThat(java.util.Base64.getDecoder().decode(image.data())).hasSize((int) figure.path("size_bytes").asLong());
    }

    @Test
    void executionsAreAuditedWithTheRequestIdAndCaller() throws Exception {
        String requestId = "mcp-audit-" + UUID.randomUUID();
        NEXT_REQUEST_ID.set(requestId);
        ok(call("run_sql", Map.of("sql", "SELECT 42 AS answer")));
        JsonNode line = null;
        for (String l : Files.readAllLines(agent.services().config().audit().path())) {
            JsonNode node = JSON.readTree(l);
            if (node.path("request_id").asText().equals(requestId)) {
                line = node;
            }
        }
        assertThat(line).as("audit line for " + requestId).isNotNull();
        assertThat(line.path("language").asText()).isEqualTo("sql");
        assertThat(line.path("code").asText()).isEqualTo("SELECT 42 AS answer");
        assertThat(line.path("caller_address").asText()).isEqualTo("127.0.0.1");
        assertThat(line.path("outcome").asText()).isEqualTo("success");
    }

    @Test
    void servesTheSchemaResourceAndTheAnalyzeTablePrompt() throws Exception {
        var resource = client.readResource(new McpSchema.ReadResourceRequest("dea://schema"));
        String text = ((McpSchema.TextResourceContents) resource.contents().get(0)).text();
        assertThat(JSON.readTree(text).path("tables").size()).isGreaterThan(10);
        var prompt = client.getPrompt(new McpSchema.GetPromptRequest("analyze_table", Map.of("table", "rental")));
        assertThat(((McpSchema.TextContent) prompt.messages().get(0).content()).text()).contains("rental", "profile_table");
    }

    @Test
    void withoutATokenTheEndpointAnswers401() {
        var reply = agent.send(HttpRequest.newBuilder(agent.uri("/mcp")).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}")).build());
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.errorType()).isEqualTo("UNAUTHORIZED");
        assertThat(reply.header("X-Request-Id")).isNotBlank();

        try (McpSyncClient wrongToken = client("Bearer wrong-token")) {
            assertThatThrownBy(wrongToken::initialize).isInstanceOf(RuntimeException.class);
        }
    }

    @Test
    void getAndDeleteAnswer405BecauseTheEndpointIsStateless() {
        var get = agent.get("/mcp");
        assertThat(get.status()).isEqualTo(405);
        assertThat(get.errorType()).isEqualTo("METHOD_NOT_ALLOWED");
        assertThat(get.header("Allow")).isEqualTo("POST");
        assertThat(agent.delete("/mcp").status()).isEqualTo(405);
    }

    @Test
    void aBodyOverMaxRequestBytesIs413() {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"" + "x".repeat(11 << 20) + "\"}}";
        var reply = agent.send(HttpRequest.newBuilder(agent.uri("/mcp"))
                .header("Authorization", "Bearer " + AgentHarness.TOKEN).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.errorType()).isEqualTo("PAYLOAD_TOO_LARGE");
    }

    @Test
    void requestsTheTransportRefusesAre400sInTheAgentsErrorFormatWithoutAStackTrace() {
        String list = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";
        Map<String, String[]> refused = Map.of(
                "an Accept header without text/event-stream", new String[] {"application/json", list},
                "a body that is no JSON", new String[] {"application/json, text/event-stream", "not json"},
                "a JSON-RPC response sent to the server", new String[] {"application/json, text/event-stream",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"});
        refused.forEach((what, acceptAndBody) -> {
            var reply = agent.send(HttpRequest.newBuilder(agent.uri("/mcp"))
                    .header("Authorization", "Bearer " + AgentHarness.TOKEN).header("Content-Type", "application/json")
                    .header("Accept", acceptAndBody[0])
                    .POST(HttpRequest.BodyPublishers.ofString(acceptAndBody[1])).build());
            assertThat(reply.status()).as(what + ": " + reply.body()).isEqualTo(400);
            assertThat(reply.errorType()).as(what).isEqualTo("VALIDATION_ERROR");
            assertThat(reply.json().path("detail").path("message").asText()).as(what).isNotBlank();
            assertThat(reply.body()).as(what).doesNotContain("stackTrace").doesNotContain("McpError");
        });
    }

    @Test
    void aToolCallWithoutANameOrWithArgumentsThatAreNoObjectIs400NotA500() {
        Map<String, String> malformed = Map.of(
                "no params", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"}",
                "params without a name", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{}}",
                "arguments as a string", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"run_sql\",\"arguments\":\"SELECT 1\"}}",
                "a name that is an object", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
                        + "\"params\":{\"name\":{\"x\":1},\"arguments\":{}}}");
        malformed.forEach((what, body) -> {
            var reply = agent.send(HttpRequest.newBuilder(agent.uri("/mcp"))
                    .header("Authorization", "Bearer " + AgentHarness.TOKEN).header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertThat(reply.status()).as(what + ": " + reply.body()).isEqualTo(400);
            assertThat(reply.errorType()).as(what).isEqualTo("VALIDATION_ERROR");
        });
    }

    @Test
    void protocolResponsesCarryARequestId() {
        var reply = agent.send(HttpRequest.newBuilder(agent.uri("/mcp"))
                .header("Authorization", "Bearer " + AgentHarness.TOKEN).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").header("X-Request-Id", "mcp-raw-1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}")).build());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.header("X-Request-Id")).isEqualTo("mcp-raw-1");
        assertThat(reply.json().path("result").path("tools").size()).isEqualTo(7);
        assertThat(reply.json().path("id").asInt()).isEqualTo(7);
    }
}
