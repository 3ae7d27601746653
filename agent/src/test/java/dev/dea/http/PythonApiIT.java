package dev.dea.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Python over HTTP against the real engine and image: chains of steps, inline data, callbacks, errors. */
class PythonApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()), Map.of("SANDBOX_TIMEOUT_SECONDS", "60", "SANDBOX_POOL_SIZE", "2"));
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    private static AgentHarness.Reply onData(String code, Map<String, String> keys) {
        return onData(code, keys, true);
    }

    private static AgentHarness.Reply onData(String code, Map<String, String> keys, boolean exactDecimals) {
        try {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("code", code);
            body.put("cache_keys", keys);
            body.put("exact_decimals", exactDecimals);
            return agent.post("/execute-on-data", JSON.writeValueAsString(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode column(JsonNode result, String name) {
        for (JsonNode c : result.path("metadata").path("result_schema")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no column " + name + " in " + result);
    }

    @Test
    void numericColumnsReachPandasAsFloat64ByDefaultSoDescribeAndPlotsWork() {
        var sql = agent.sql("SELECT amount FROM payment ORDER BY payment_id LIMIT 50");
        String key = sql.json().path("cache_key").asText();
        var r = onData("d = input_data['prev']['amount']\nprint(d.dtype)\nresult_df = d.describe().to_frame()",
                Map.of("prev", key), false);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("stdout").asText()).isEqualTo("float64\n");
        assertThat(column(sql.json(), "amount").path("type").asText())
                .as("the type the SQL step announces is the dtype the next step gets").isEqualTo("float64");
        var chained = onData("result_df = input_data['prev']", Map.of("prev", key), false);
        assertThat(column(chained.json(), "amount").path("kind").asText())
                .as("a default-mode step returns the floats it computed with").isEqualTo("float64");
        var exact = onData("print(type(input_data['prev']['amount'].iloc[0]).__name__)\nresult_df = 1",
                Map.of("prev", key), true);
        assertThat(exact.json().path("stdout").asText()).isEqualTo("Decimal\n");
        var sqlGivesNoOption = agent.post("/execute", "{\"language\":\"sql\",\"code\":\"SELECT 1\",\"exact_decimals\":true}");
        assertThat(sqlGivesNoOption.status()).isEqualTo(400);
        assertThat(sqlGivesNoOption.errorType()).isEqualTo("VALIDATION_ERROR");
    }

    @Test
    void aFiveStepChainKeepsDatesDecimalsAndNulls() {
        var sql = agent.sql("SELECT payment_id, customer_id, amount, payment_date, payment_date::date AS day, "
                + "CASE WHEN payment_id % 3 = 0 THEN NULL ELSE 'x' END AS tag FROM payment ORDER BY payment_id LIMIT 500");
        assertThat(sql.status()).as(sql.body()).isEqualTo(200);
        String key = sql.json().path("cache_key").asText();
        String[] steps = {
                "result_df = input_data['prev'].copy()",
                "df = input_data['prev']; result_df = df[df['amount'] > 0].copy()",
                "df = input_data['prev']; df['doubled'] = df['amount'] * 2; result_df = df",
                "result_df = input_data['prev'].sort_values('payment_id').reset_index(drop=True)",
        };
        JsonNode last = null;
        for (String step : steps) {
            var r = onData(step, Map.of("prev", key));
            assertThat(r.status()).as(step + " -> " + r.body()).isEqualTo(200);
            last = r.json();
            assertThat(last.path("metadata").path("parent_keys").get(0).asText()).isEqualTo(key);
            key = last.path("cache_key").asText();
        }
        assertThat(last.path("metadata").path("row_count").asLong()).isEqualTo(500);
        assertThat(column(last, "day").path("kind").asText()).isEqualTo("date");
        assertThat(column(last, "amount").path("kind").asText()).isEqualTo("decimal");
        assertThat(column(last, "payment_date").path("kind").asText()).isEqualTo("timestamptz");
        assertThat(column(last, "tag").path("stats").path("null_count").asLong()).isGreaterThan(100);
        JsonNode first = last.path("data").path("rows").get(0);
        assertThat(first.get(2).isTextual()).as("decimal stays an exact string: " + first + " in " + last).isTrue();
    }

    @Test
    void pythonOnTheDatabaseUsesTheGuardedSqlCallback() {
        var r = agent.post("/execute", "{\"language\":\"python\",\"code\":\"df = sql('SELECT rating, count(*) AS n FROM film GROUP BY 1')\\n"
                + "df2 = pd.read_sql('SELECT count(*) AS films FROM film', conn)\\nprint('films', int(df2['films'][0]))\\nresult_df = df\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("metadata").path("row_count").asLong()).isEqualTo(5);
        assertThat(r.json().path("stdout").asText()).contains("films 1000");
    }

    @Test
    void returnsOpenFiguresAsPngArtifacts() {
        var r = agent.post("/execute", "{\"language\":\"python\",\"code\":\"fig, ax = plt.subplots(figsize=(4, 3), dpi=50)\\n"
                + "ax.plot([1, 2, 3])\\nresult_df = pd.DataFrame({'x': [1]})\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode artifact = r.json().path("artifacts").get(0);
        assertThat(artifact.path("media_type").asText()).isEqualTo("image/png");
        assertThat(artifact.path("width").asInt()).isEqualTo(200);
        assertThat(artifact.path("height").asInt()).isEqualTo(150);
        assertThat(java.util.Base64.getDecoder().decode(artifact.path("data_base64").asText())).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void rejectedSqlInsideCodeIsAnExecutionError() {
        var r = agent.post("/execute", "{\"language\":\"python\",\"code\":\"result_df = sql('DELETE FROM film')\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("EXECUTION_ERROR");
        assertThat(r.json().path("detail").path("message").asText()).contains("SQL_REJECTED");
    }

    @Test
    void inlineInputDataBecomesATypedFrame() {
        var r = agent.post("/execute-on-data", "{\"code\":\"result_df = input_data['x'].assign(total=lambda d: d['a'] * d['b'])\","
                + "\"input_data\":{\"x\":{\"columns\":[\"a\",\"b\",\"name\"],\"rows\":[[1,2.5,\"p\"],[3,null,\"q\"]]}}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(column(r.json(), "a").path("type").asText()).isEqualTo("int64");
        assertThat(column(r.json(), "total").path("kind").asText()).isEqualTo("float64");
    }

    @Test
    void codeErrorsNameTheExceptionAndTheUsersLine() {
        var r = agent.post("/execute", "{\"language\":\"python\",\"code\":\"x = 1\\ny = 0\\nresult_df = x / y\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("EXECUTION_ERROR");
        assertThat(r.json().path("detail").path("exception").asText()).isEqualTo("ZeroDivisionError");
        assertThat(r.json().path("detail").path("line").asInt()).isEqualTo(3);
    }

    @Test
    void unknownKeysAre404NamingTheKey() {
        var r = onData("result_df = input_data['x']", Map.of("x", "123e4567-e89b-42d3-a456-426614174000"));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().path("detail").path("message").asText()).contains("123e4567-e89b-42d3-a456-426614174000");
    }

    @Test
    void aFailedStepKeepsNoneOfItsInlineTablesAndIsAudited() {
        int framesBefore = agent.services().cache().stats().frames();
        int failuresBefore = agent.get("/executions?kind=python&status=error").json().get("executions").size();
        // "a" is well formed and would be stored first; "b"'s second row is a value short.
        var badShape = agent.post("/execute-on-data", "{\"code\":\"result_df = 1\",\"input_data\":{"
                + "\"a\":{\"columns\":[\"c\"],\"rows\":[[1]]},\"b\":{\"columns\":[\"c\",\"d\"],\"rows\":[[1,2],[3]]}}}");
        assertThat(badShape.status()).as(badShape.body()).isEqualTo(400);
        var unknownKey = agent.post("/execute-on-data", "{\"code\":\"result_df = 1\",\"cache_keys\":{\"x\":\"nope\"},"
                + "\"input_data\":{\"a\":{\"columns\":[\"c\"],\"rows\":[[1]]}}}");
        assertThat(unknownKey.status()).as(unknownKey.body()).isIn(400, 404);
        var codeError = agent.post("/execute-on-data", "{\"code\":\"raise ValueError('no')\","
                + "\"input_data\":{\"a\":{\"columns\":[\"c\"],\"rows\":[[1]]}}}");
        assertThat(codeError.status()).as(codeError.body()).isEqualTo(400);
        assertThat(agent.services().cache().stats().frames()).as("inline frames left behind").isEqualTo(framesBefore);
        assertThat(agent.get("/executions?kind=python&status=error").json().get("executions"))
                .as("each failure has its audit line").hasSize(failuresBefore + 3);
    }

    @Test
    void missingOrOversizedCodeIs400() {
        assertThat(agent.post("/execute-on-data", "{\"cache_keys\":{}}").errorType()).isEqualTo("VALIDATION_ERROR");
        var oversized = agent.post("/execute-on-data", "{\"code\":\"" + "x".repeat(1_000_001) + "\"}");
        assertThat(oversized.status()).isEqualTo(400);
        assertThat(oversized.json().path("detail").path("message").asText()).contains("'code'").contains("limit");
        assertThat(agent.post("/execute-on-data", "{\"code\":\"x\",\"cache_keys\":[1]}").errorType()).isEqualTo("VALIDATION_ERROR");
    }

    @Test
    void healthReportsTheSandbox() {
        var r = agent.get("/health");
        assertThat(r.json().path("sandbox").path("status").asText()).isEqualTo("up");
    }

    @Test
    void healthListsThePackagesTheSandboxReallyImports() throws Exception {
        JsonNode packages = agent.get("/health").json().path("sandbox").path("packages");
        assertThat(packages.isObject()).as("sandbox.packages: " + packages).isTrue();
        List<String> names = new ArrayList<>();
        packages.fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("python", "numpy", "pandas", "scipy", "matplotlib", "sklearn", "statsmodels",
                "seaborn", "openpyxl");
        assertThat(packages.path("pandas").asText()).as("the trixie stack").startsWith("2.");
        StringBuilder declared = new StringBuilder();
        for (String name : names) {
            declared.append(declared.isEmpty() ? "" : " ").append(name).append('=').append(packages.path(name).asText());
        }
        String code = "import importlib, platform\n"
                + "names = " + JSON.writeValueAsString(names) + "\n"
                + "print(' '.join(n + '=' + (platform.python_version() if n == 'python' "
                + "else importlib.import_module(n).__version__) for n in names), end='')\n"
                + "result_df = pd.DataFrame({'n': [len(names)]})";
        var r = agent.post("/execute", JSON.writeValueAsString(Map.of("language", "python", "code", code)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("stdout").asText()).isEqualTo(declared.toString());
    }
}
