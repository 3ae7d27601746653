package dev.dea.execute;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /execute} with SQL against the generated fixture: results, value encoding, every SQL error type, concurrency. */
class SqlExecutionIT {
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()),
                Map.of("SQL_TIMEOUT_SECONDS", "2", "SQL_MAX_ROWS", "5000"));
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    @Test
    void returnsTheEnrichedExecutionResultShape() throws Exception {
        var r = agent.sql("SELECT rating, count(*) AS films, avg(rental_rate) AS avg_rate FROM film GROUP BY rating ORDER BY rating");
        assertThat(r.status()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.path("status").asText()).isEqualTo("success");
        assertThat(body.path("cache_key").asText()).matches("[0-9a-f-]{36}");
        JsonNode meta = body.path("metadata");
        assertThat(meta.path("execution_time_ms").isNumber()).isTrue();
        assertThat(meta.path("row_count").asLong()).isEqualTo(5);
        assertThat(meta.path("truncated").asBoolean()).isFalse();
        assertThat(meta.path("tables_read").toString()).contains("film");
        JsonNode schema = meta.path("result_schema");
        assertThat(schema.get(0).path("name").asText()).isEqualTo("rating");
        assertThat(schema.get(0).path("sql_type").asText()).isEqualTo("mpaa_rating");
        assertThat(schema.get(1).path("type").asText()).isEqualTo("int64");
        assertThat(schema.get(1).path("stats").path("min").asLong()).isPositive();
        assertThat(schema.get(1).path("stats").path("null_count").asLong()).isZero();
        // numeric: what a later step's pandas gets by default, not the exact Decimal objects.
        assertThat(schema.get(2).path("type").asText()).isEqualTo("float64");
        assertThat(schema.get(2).path("kind").asText()).isEqualTo("decimal");
        assertThat(body.path("data").path("columns").toString()).isEqualTo("[\"rating\",\"films\",\"avg_rate\"]");
        long total = 0;
        for (JsonNode row : body.path("data").path("rows")) {
            total += row.get(1).asLong();
            assertThat(row.get(2).isTextual()).as("decimals travel as exact strings").isTrue();
        }
        // fixture.sql: film g is rated (g % 5) in enum order, so 200 films per rating.
        assertThat(body.path("data").path("rows").toString()).startsWith("[[\"G\",200,");
        assertThat(body.path("data").path("rows")).extracting(row -> row.get(1).asLong()).containsOnly(200L);
        try (Connection c = TestPostgres.connect(TestPostgres.FIXTURE); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM film")) {
            rs.next();
            assertThat(total).isEqualTo(rs.getLong(1));
        }
    }

    @Test
    void encodesEveryTypeLosslessly() {
        var r = agent.sql("""
                SELECT 42::int AS i, 9007199254740993::bigint AS big, 1.5::float8 AS f, 'NaN'::float8 AS nan,
                       'Infinity'::float8 AS inf, 12345678901234567890.123456789::numeric AS dec, true AS b,
                       'it''s "quoted"\nline2 ✓' AS t, '' AS empty, NULL::text AS nothing, DATE '2024-02-29' AS d,
                       TIMESTAMP '2024-01-02 03:04:05.678' AS ts, TIMESTAMPTZ '2024-01-02 03:04:05+02' AS tstz,
                       TIME '13:45:00' AS tm, '\\xdeadbeef'::bytea AS bytes, ARRAY[1,2,NULL] AS arr,
                       '{"a": [1, {"b": null}]}'::jsonb AS js, 'G'::mpaa_rating AS rating, INTERVAL '1 day 2 hours' AS iv,
                       'a fat cat'::tsvector AS tsv, '550e8400-e29b-41d4-a716-446655440000'::uuid AS id
                """);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode row = r.json().path("data").path("rows").get(0);
        assertThat(row.get(0).asInt()).isEqualTo(42);
        assertThat(row.get(1).asText()).isEqualTo("9007199254740993");
        assertThat(row.get(1).isIntegralNumber()).isTrue();
        assertThat(row.get(2).asDouble()).isEqualTo(1.5);
        assertThat(row.get(3).asText()).isEqualTo("NaN");
        assertThat(row.get(4).asText()).isEqualTo("Infinity");
        assertThat(row.get(5).asText()).isEqualTo("12345678901234567890.123456789");
        assertThat(row.get(6).asBoolean()).isTrue();
        assertThat(row.get(7).asText()).isEqualTo("it's \"quoted\"\nline2 ✓");
        assertThat(row.get(8).isTextual()).isTrue();
        assertThat(row.get(8).asText()).isEmpty();
        assertThat(row.get(9).isNull()).isTrue();
        assertThat(row.get(10).asText()).isEqualTo("2024-02-29");
        assertThat(row.get(11).asText()).isEqualTo("2024-01-02T03:04:05.678");
        assertThat(row.get(12).asText()).isEqualTo("2024-01-02T01:04:05Z");
        assertThat(row.get(13).asText()).isEqualTo("13:45:00");
        assertThat(row.get(14).asText()).isEqualTo("3q2+7w==");
        assertThat(row.get(15).toString()).isEqualTo("[1,2,null]");
        assertThat(row.get(16).toString()).isEqualTo("{\"a\":[1,{\"b\":null}]}");
        assertThat(row.get(17).asText()).isEqualTo("G");
        assertThat(row.get(18).asText()).isEqualTo("1 day 02:00:00");
        assertThat(row.get(19).asText()).isEqualTo("'a' 'cat' 'fat'");
        assertThat(row.get(20).asText()).isEqualTo("550e8400-e29b-41d4-a716-446655440000");
        JsonNode schema = r.json().path("metadata").path("result_schema");
        assertThat(schema.get(10).path("type").asText()).isEqualTo("object");
        assertThat(schema.get(11).path("type").asText()).isEqualTo("datetime64[ns]");
        assertThat(schema.get(12).path("type").asText()).isEqualTo("datetime64[ns, UTC]");
        assertThat(schema.get(9).path("stats").path("null_count").asLong()).isEqualTo(1);
    }

    @Test
    void moneyKeepsTheDatabasesTextInsteadOfFailingToReadItAsADouble() {
        // pgjdbc types money as DOUBLE, but getDouble cannot read "$1,234.56".
        var r = agent.sql("SELECT 1234567.89::money AS m, (1234567.89::money)::text AS printed, ARRAY[1234.5::money] AS ms");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode row = r.json().path("data").path("rows").get(0);
        assertThat(row.get(0).asText()).isEqualTo(row.get(1).asText()).contains("1,234,567.89");
        assertThat(row.get(2).get(0).asText()).contains("1,234.50");
        assertThat(r.json().path("metadata").path("result_schema").get(0).path("kind").asText()).isEqualTo("string");
    }

    @Test
    void arrayElementsAreEncodedAsTheirScalarTypeWouldBe() {
        var r = agent.sql("""
                SELECT ARRAY['2024-01-02 03:04:05+02'::timestamptz] AS tz, ARRAY['NaN'::numeric, 1.50] AS n,
                       ARRAY['infinity'::date, '2024-01-01', NULL] AS d, ARRAY['-infinity'::timestamp] AS ts,
                       ARRAY[B'101'] AS bits, ARRAY['{"a": 1}'::jsonb] AS js,
                       ARRAY['a,b', 'q"u\\o', 'NULL', NULL, '', ' x '] AS t, ARRAY[[1,2],[3,4]] AS m2, '{}'::int[] AS e,
                       ARRAY['\\x01ff'::bytea] AS b, ARRAY[box(point(0,0), point(1,1))] AS bx,
                       ARRAY['0044-03-15 BC'::date] AS bc, DATE '0044-03-15 BC' AS bc_scalar, '[0:1]={7,8}'::int[] AS bounds
                """);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode row = r.json().path("data").path("rows").get(0);
        assertThat(row.get(0).toString()).isEqualTo("[\"2024-01-02T01:04:05Z\"]");
        assertThat(row.get(1).toString()).isEqualTo("[\"NaN\",\"1.50\"]");
        assertThat(row.get(2).toString()).isEqualTo("[\"infinity\",\"2024-01-01\",null]");
        assertThat(row.get(3).toString()).isEqualTo("[\"-infinity\"]");
        assertThat(row.get(4).toString()).isEqualTo("[\"101\"]");
        assertThat(row.get(5).toString()).isEqualTo("[{\"a\":1}]");
        assertThat(row.get(6).toString()).isEqualTo("[\"a,b\",\"q\\\"u\\\\o\",\"NULL\",null,\"\",\" x \"]");
        assertThat(row.get(7).toString()).isEqualTo("[[1,2],[3,4]]");
        assertThat(row.get(8).toString()).isEqualTo("[]");
        assertThat(row.get(9).toString()).isEqualTo("[\"Af8=\"]");
        assertThat(row.get(10).toString()).isEqualTo("[\"(1,1),(0,0)\"]");
        assertThat(row.get(11).get(0).asText()).isEqualTo(row.get(12).asText());
        assertThat(row.get(13).toString()).isEqualTo("[7,8]");
        assertThat(r.json().path("metadata").path("result_schema").get(0).path("kind").asText()).isEqualTo("array");
    }

    @Test
    void serialColumnsAreIntegers() {
        // pgjdbc names the type of a column with a sequence default "serial", not "int4".
        var r = agent.sql("SELECT payment_id, rental_id FROM payment ORDER BY payment_id LIMIT 3");
        JsonNode schema = r.json().path("metadata").path("result_schema");
        assertThat(schema.get(0).path("sql_type").asText()).isEqualTo("serial");
        assertThat(schema.get(0).path("kind").asText()).isEqualTo("int64");
        assertThat(schema.get(0).path("type").asText()).isEqualTo("int64");
        assertThat(r.json().path("data").path("rows").get(0).get(0).isIntegralNumber()).isTrue();
    }

    @Test
    void rejectsWritesWithTheRuleName() {
        var r = agent.sql("WITH d AS (DELETE FROM rental RETURNING *) SELECT count(*) FROM d");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("SQL_REJECTED");
        assertThat(r.json().path("detail").path("rule").asText()).isEqualTo("data_modifying_cte");
        assertThat(agent.sql("SELECT 1; DROP TABLE film").json().path("detail").path("rule").asText())
                .isIn("multiple_statements", "statement_count_mismatch");
    }

    @Test
    void reportsDatabaseErrorsWithPosition() {
        var r = agent.sql("SELECT no_such_column FROM film");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("SQL_ERROR");
        assertThat(r.json().path("detail").path("message").asText()).contains("no_such_column");
        assertThat(r.json().path("detail").path("position").asInt()).isEqualTo(8);
        assertThat(r.json().path("detail").path("sqlstate").asText()).isEqualTo("42703");
    }

    @Test
    void cancelsStatementsThatRunTooLong() {
        var r = agent.sql("SELECT count(*) FROM generate_series(1, 2000000000)");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("TIMEOUT");
        // The pool is healthy afterwards.
        assertThat(agent.sql("SELECT 1").status()).isEqualTo(200);
    }

    @Test
    void keepsAtMostMaxRowsAndSaysSo() {
        var r = agent.post("/execute", "{\"language\":\"sql\",\"code\":\"SELECT g FROM generate_series(1, 7000) g\",\"preview_rows\":10}");
        JsonNode meta = r.json().path("metadata");
        assertThat(meta.path("row_count").asLong()).isEqualTo(5000);
        assertThat(meta.path("max_rows_reached").asBoolean()).isTrue();
        assertThat(meta.path("truncated").asBoolean()).isTrue();
        assertThat(meta.path("preview_row_count").asInt()).isEqualTo(10);
        assertThat(r.json().path("data").path("rows").size()).isEqualTo(10);
    }

    @Test
    void cachesTheFullResultAsAFrame() {
        var r = agent.post("/execute", "{\"language\":\"sql\",\"code\":\"SELECT rental_id, rental_date FROM rental ORDER BY rental_id LIMIT 3000\",\"preview_rows\":5}");
        String key = r.json().path("cache_key").asText();
        var frame = agent.get("/frames/" + key + "?preview_rows=3");
        assertThat(frame.status()).isEqualTo(200);
        assertThat(frame.json().path("row_count").asLong()).isEqualTo(3000);
        assertThat(frame.json().path("provenance").path("source").asText()).contains("FROM rental");
        assertThat(frame.json().path("data").path("rows").size()).isEqualTo(3);
        var csv = agent.get("/frames/" + key + "/data?format=csv");
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.body().lines().count()).isEqualTo(3001);
    }

    @Test
    void servesManyParallelQueries() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<AgentHarness.Reply>> futures = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                int n = i;
                futures.add(pool.submit(() -> agent.sql("SELECT customer_id, sum(amount) FROM payment WHERE customer_id % 64 = "
                        + n + " GROUP BY customer_id ORDER BY 1")));
            }
            Set<String> keys = new HashSet<>();
            for (Future<AgentHarness.Reply> f : futures) {
                var r = f.get();
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                keys.add(r.json().path("cache_key").asText());
            }
            assertThat(keys).hasSize(64);
        } finally {
            pool.shutdownNow();
        }
    }
}
