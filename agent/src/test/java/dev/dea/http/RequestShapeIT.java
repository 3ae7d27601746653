package dev.dea.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.AgentOnDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests say what is wrong with them: an unknown body field, query parameter or MCP tool
 * argument is a 400 VALIDATION_ERROR naming it and the accepted ones, never silently ignored;
 * and every request shape of the reference agent's clients (seed 004) is still accepted.
 */
class RequestShapeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final AgentOnDatabase fixture = AgentOnDatabase.fresh("dea_it_shape",
            "CREATE TABLE products (id int PRIMARY KEY, category text NOT NULL, price numeric(8,2))",
            "INSERT INTO products SELECT g, (ARRAY['Books','Electronics','Home'])[1 + g % 3], g * 1.5 "
                    + "FROM generate_series(1, 30) g",
            "ANALYZE products")
            .env(Map.of("SANDBOX_TIMEOUT_SECONDS", "60"));
    private static String database;
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        database = fixture.database();
        agent = fixture.agent();
    }

    private static JsonNode validationError(AgentHarness.Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("VALIDATION_ERROR");
        return r.json().path("detail");
    }

    private static List<String> texts(JsonNode array) {
        return JSON.convertValue(array, JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    }

    @Test
    void aMisspelledFieldOnExecuteOnDataIsA400NamingItAndListingCacheKeys() {
        var r = agent.post("/execute-on-data", """
                {"code": "result_df = input_data['prev']", "input_keys": {"prev": "00000000-0000-0000-0000-000000000000"}}""");
        JsonNode detail = validationError(r);
        assertThat(detail.path("message").asText()).contains("'input_keys'", "POST /execute-on-data", "cache_keys");
        assertThat(texts(detail.path("unknown"))).containsExactly("input_keys");
        assertThat(texts(detail.path("accepted"))).containsExactly("cache_keys", "code", "exact_decimals", "input_data", "preview_rows");
    }

    @Test
    void aMisspelledFieldOnExecuteIsA400EvenWhenTheRestWouldRun() {
        var r = agent.post("/execute", "{\"language\": \"sql\", \"code\": \"SELECT 1\", \"previewRows\": 5}");
        JsonNode detail = validationError(r);
        assertThat(detail.path("message").asText()).contains("'previewRows'", "POST /execute", "preview_rows");
        assertThat(texts(detail.path("accepted"))).containsExactly("code", "datasource", "exact_decimals", "language", "preview_rows");
    }

    @Test
    void aDatasourceFieldOnAPythonStepIsA400ThatShowsHowPythonNamesOne() {
        var r = agent.post("/execute", "{\"language\": \"python\", \"code\": \"result_df = sql('SELECT 1')\", \"datasource\": \"default\"}");
        assertThat(validationError(r).path("message").asText())
                .contains("'datasource'", "sql(query, datasource='NAME')", "conns['NAME']");
    }

    @Test
    void anUnknownQueryParameterOnTheProfileIsA400ListingDistribution() {
        JsonNode detail = validationError(agent.get("/schema/products/profile?distributon=exact"));
        assertThat(detail.path("message").asText()).contains("'distributon'", "GET /schema/{table}/profile", "distribution");
        assertThat(texts(detail.path("accepted"))).containsExactly("datasource", "distribution");
        // A route that documents no query parameter takes none.
        assertThat(validationError(agent.get("/datasources?verbose=1")).path("message").asText())
                .contains("'verbose'", "takes no query parameters");
        assertThat(agent.get("/schema/products/profile?distribution=exact").status()).isEqualTo(200);
    }

    @Test
    void everyRequestShapeOfTheReferenceClientsIsAccepted() throws Exception {
        // Seed 004's API reference, field for field.
        assertThat(agent.getAnonymously("/health").status()).isEqualTo(200);
        assertThat(agent.get("/schema").status()).isEqualTo(200);
        assertThat(agent.get("/schema/products/profile").status()).isEqualTo(200);

        var sql = agent.post("/execute", "{\"language\": \"sql\", \"code\": \"SELECT * FROM products LIMIT 10;\"}");
        assertThat(sql.status()).as(sql.body()).isEqualTo(200);
        String key = sql.json().path("cache_key").asText();

        var python = agent.post("/execute", "{\"language\": \"python\", "
                + "\"code\": \"result_df = pd.read_sql('SELECT category FROM products', conn)\"}");
        assertThat(python.status()).as(python.body()).isEqualTo(200);

        var onData = agent.post("/execute-on-data", JSON.writeValueAsString(Map.of(
                "code", "result_df = input_data['previous_results'].groupby('category').size().reset_index(name='counts')",
                "input_data", Map.of(),
                "cache_keys", Map.of("previous_results", key))));
        assertThat(onData.status()).as(onData.body()).isEqualTo(200);
        assertThat(onData.json().path("metadata").path("row_count").asLong()).isEqualTo(3);
    }

    @Test
    void anUnknownMcpToolArgumentIsAToolErrorNamingIt() throws Exception {
        String call = """
                {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                 "params": {"name": "run_sql", "arguments": {"query": "SELECT 1"}}}""";
        var r = agent.send(HttpRequest.newBuilder(agent.uri("/mcp"))
                .header("Authorization", "Bearer " + AgentHarness.TOKEN)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(call)).build());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode result = r.json().path("result");
        assertThat(result.path("isError").asBoolean()).as(r.body()).isTrue();
        JsonNode detail = result.path("structuredContent");
        assertThat(detail.path("type").asText()).isEqualTo("VALIDATION_ERROR");
        assertThat(detail.path("message").asText()).contains("'query'", "tool 'run_sql'", "sql");
        assertThat(texts(detail.path("unknown"))).containsExactly("query");
    }
}
