package dev.dea.execute.mysql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.AgentOnDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MySQL fixture through sql() in a real sandbox (Docker, dea-sandbox:latest) into pandas:
 * the dtypes and Python values docs/frame-format.md promises for MySQL types.
 */
class MySqlSandboxIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final AgentOnDatabase fixture = AgentOnDatabase.freshMariaDb("mysqldb_it_sandbox")
            .script("/fixture/mysql-fixture.sql")
            .env(Map.of("SANDBOX_TIMEOUT_SECONDS", "60"));
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        agent = fixture.agent();
    }

    @Test
    void theFixtureLoadsIntoPandasWithTheDocumentedDtypesAndValues() throws Exception {
        String code = """
                import json
                df = sql('SELECT * FROM all_types ORDER BY id')
                first = df.iloc[0]
                print(json.dumps({
                    'dtypes': {c: str(df[c].dtype) for c in df.columns},
                    'first': {c: type(first[c]).__name__ + ':' + str(first[c]) for c in df.columns},
                    'nulls': {c: bool(pd.isna(df[c].iloc[2])) for c in df.columns if c != 'id'},
                }))
                result_df = df[['id']]
                """;
        // Exact decimals asked for: the test checks the values themselves (the float64 default is the runner's tests').
        var r = agent.post("/execute", JSON.writeValueAsString(Map.of("language", "python", "code", code,
                "exact_decimals", true)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode out = JSON.readTree(r.json().path("stdout").asText().strip());
        JsonNode dtypes = out.path("dtypes");
        assertThat(dtypes.path("t_bigint").asText()).isEqualTo("Int64");
        assertThat(dtypes.path("t_bit1").asText()).isEqualTo("boolean");
        assertThat(dtypes.path("t_double").asText()).isEqualTo("float64");
        assertThat(dtypes.path("t_datetime").asText()).isEqualTo("datetime64[ns]");
        assertThat(dtypes.path("t_timestamp").asText()).isEqualTo("datetime64[ns, UTC]");
        JsonNode first = out.path("first");
        assertThat(first.path("t_bigint_unsigned").asText()).isEqualTo("Decimal:18446744073709551615");
        assertThat(first.path("t_decimal").asText()).isEqualTo("Decimal:12345678901234567890.0123456789");
        assertThat(first.path("t_date").asText()).isEqualTo("date:2024-02-29");
        assertThat(first.path("t_datetime").asText()).isEqualTo("Timestamp:2024-02-29 13:45:59.123456");
        assertThat(first.path("t_timestamp").asText()).isEqualTo("Timestamp:2038-01-19 03:14:07.999000+00:00");
        assertThat(first.path("t_time").asText()).isEqualTo("str:838:59:59.000000");
        assertThat(first.path("t_varchar").asText()).isEqualTo("str:héllo wörld 😀 𝄞");
        assertThat(first.path("t_json").asText()).startsWith("dict:");
        assertThat(first.path("t_blob").asText()).startsWith("bytes:");
        assertThat(first.path("t_geometry").asText()).startsWith("bytes:");
        assertThat(out.path("nulls").size()).isEqualTo(30);
        out.path("nulls").fields().forEachRemaining(f -> assertThat(f.getValue().asBoolean()).as(f.getKey()).isTrue());
    }

    @Test
    void unsignedBigintsLoadExactByDefaultNotAsFloats() throws Exception {
        String code = """
                df = sql('SELECT t_bigint_unsigned FROM all_types ORDER BY id')
                print(df['t_bigint_unsigned'].dtype, int(df['t_bigint_unsigned'].iloc[0]))
                result_df = df
                """;
        var r = agent.post("/execute", JSON.writeValueAsString(Map.of("language", "python", "code", code)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        // A float64 would print 18446744073709551616 (2^64), or fail to convert.
        assertThat(r.json().path("stdout").asText()).isEqualTo("UInt64 18446744073709551615\n");
        JsonNode column = r.json().path("metadata").path("result_schema").get(0);
        assertThat(column.path("type").asText()).isEqualTo("UInt64");
        assertThat(r.json().path("data").path("rows").get(0).get(0).asText()).isEqualTo("18446744073709551615");
    }

    @Test
    void sqlFramesGetDecimalsAsFloatsWhileTheCursorGetsThemExact() throws Exception {
        // sql() asks for its decimals as floats and gets no text; the cursor asks for none and gets it.
        String code = """
                df = sql('SELECT t_bigint_unsigned, t_decimal FROM all_types ORDER BY id')
                cur = conn.cursor()
                cur.execute('SELECT t_decimal FROM all_types ORDER BY id')
                row = cur.fetchone()
                print(df['t_bigint_unsigned'].dtype, int(df['t_bigint_unsigned'].iloc[0]), df['t_decimal'].dtype,
                      type(row[0]).__name__, row[0])
                result_df = df
                """;
        var r = agent.post("/execute", JSON.writeValueAsString(Map.of("language", "python", "code", code)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("stdout").asText())
                .isEqualTo("UInt64 18446744073709551615 float64 Decimal 12345678901234567890.0123456789\n");
        assertThat(r.json().path("metadata").path("result_schema").get(1).path("kind").asText()).isEqualTo("float64");
    }

    @Test
    void anInputFrameGivesFloatsForDecimalsAndExactUnsignedBigintsByDefault() throws Exception {
        // The agent sends a decimal's text only to steps that read it: exact decimals, or unsigned 64-bit integers.
        var sql = agent.sql("SELECT t_bigint_unsigned, t_decimal FROM all_types ORDER BY id");
        assertThat(sql.status()).as(sql.body()).isEqualTo(200);
        String code = """
                df = input_data['prev']
                print(df['t_bigint_unsigned'].dtype, int(df['t_bigint_unsigned'].iloc[0]), df['t_decimal'].dtype,
                      type(df['t_decimal'].iloc[0]).__name__)
                result_df = df
                """;
        for (boolean exact : new boolean[] {false, true}) {
            var r = agent.post("/execute-on-data", JSON.writeValueAsString(Map.of("code", code,
                    "cache_keys", Map.of("prev", sql.json().path("cache_key").asText()), "exact_decimals", exact)));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().path("stdout").asText()).isEqualTo(exact
                    ? "object 18446744073709551615 object Decimal\n"
                    : "UInt64 18446744073709551615 float64 float64\n");
        }
    }
}

