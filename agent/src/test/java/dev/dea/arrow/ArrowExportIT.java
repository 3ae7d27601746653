package dev.dea.arrow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /frames/{key}/data?format=arrow} over real HTTP, on frames made by real SQL,
 * read back with Arrow Java's own stream reader.
 */
class ArrowExportIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()), Map.of("SANDBOX_TIMEOUT_SECONDS", "60",
                "SANDBOX_IMAGE", System.getenv().getOrDefault("DEA_IT_SANDBOX_IMAGE", "dea-sandbox:latest")));
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    /** A frame read back: its schema, the number of record batches and every value by column name. */
    record Read(Schema schema, int batches, Map<String, List<Object>> columns, String contentType) {
        List<Object> col(String name) {
            return columns.get(name);
        }

        ArrowType type(String name) {
            return field(name).getType();
        }

        Field field(String name) {
            return schema.findField(name);
        }
    }

    private static String frameOf(String sql) {
        var r = agent.sql(sql);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("cache_key").asText();
    }

    private static HttpResponse<byte[]> download(String key, String format) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(agent.uri("/frames/" + key + "/data?format=" + format))
                .header("Authorization", "Bearer " + AgentHarness.TOKEN).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static Read read(String key) throws Exception {
        HttpResponse<byte[]> response = download(key, "arrow");
        assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(200);
        Map<String, List<Object>> columns = new HashMap<>();
        int batches = 0;
        try (BufferAllocator allocator = new RootAllocator();
             ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(response.body()), allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            for (FieldVector v : root.getFieldVectors()) {
                columns.put(v.getName(), new ArrayList<>());
            }
            while (reader.loadNextBatch()) {
                batches++;
                for (FieldVector v : root.getFieldVectors()) {
                    for (int i = 0; i < root.getRowCount(); i++) {
                        columns.get(v.getName()).add(plain(v.getObject(i)));
                    }
                }
            }
            return new Read(root.getSchema(), batches, columns, response.headers().firstValue("Content-Type").orElse(""));
        }
    }

    /** Text to String, lists element-wise, so assertions compare plain Java values. */
    private static Object plain(Object o) {
        if (o instanceof Text t) {
            return t.toString();
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(e -> out.add(plain(e)));
            return out;
        }
        return o;
    }

    private static long micros(Instant at) {
        return at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000;
    }

    private static Object json(Object text) throws IOException {
        return text == null ? null : JSON.readTree(text.toString());
    }

    @Test
    void everyColumnKindOfTheFixtureGetsItsArrowTypeAndValues() throws Exception {
        Read r = read(frameOf("SELECT * FROM all_kinds ORDER BY id"));
        assertThat(r.contentType()).isEqualTo("application/vnd.apache.arrow.stream");
        assertThat(r.col("id")).hasSize(1000);

        assertThat(r.type("i2")).isEqualTo(new ArrowType.Int(64, true));
        assertThat(r.type("i8")).isEqualTo(new ArrowType.Int(64, true));
        assertThat(r.type("f8")).isEqualTo(ArrowTypes.FLOAT64);
        assertThat(r.type("b")).isEqualTo(ArrowType.Bool.INSTANCE);
        assertThat(r.type("t")).isEqualTo(ArrowType.Utf8.INSTANCE);
        assertThat(r.type("num")).as("unconstrained numeric keeps its exact text").isEqualTo(ArrowType.Utf8.INSTANCE);
        assertThat(r.type("num_scaled")).isEqualTo(new ArrowType.Decimal(12, 2, 128));
        assertThat(r.type("d")).isEqualTo(ArrowTypes.DATE32);
        assertThat(r.type("ts")).isEqualTo(new ArrowType.Timestamp(org.apache.arrow.vector.types.TimeUnit.MICROSECOND, null));
        assertThat(r.type("tstz")).isEqualTo(new ArrowType.Timestamp(org.apache.arrow.vector.types.TimeUnit.MICROSECOND, "UTC"));
        assertThat(r.type("tm")).isEqualTo(ArrowTypes.TIME64);
        assertThat(r.type("tmtz")).as("Arrow's time has no zone").isEqualTo(ArrowType.Utf8.INSTANCE);
        for (String json : List.of("js", "jsb")) {
            assertThat(r.type(json)).isEqualTo(ArrowType.Utf8.INSTANCE);
            assertThat(r.field(json).getMetadata()).containsEntry("ARROW:extension:name", "arrow.json");
        }
        assertThat(r.type("bin")).isEqualTo(ArrowType.Binary.INSTANCE);
        assertThat(r.type("iv")).isEqualTo(ArrowType.Utf8.INSTANCE);
        assertThat(r.type("uid")).isEqualTo(ArrowType.Utf8.INSTANCE);
        assertThat(r.type("big")).isEqualTo(new ArrowType.Int(64, true));
        assertThat(r.type("int_arr")).isEqualTo(ArrowType.List.INSTANCE);
        assertThat(r.field("int_arr").getChildren().get(0).getType()).isEqualTo(new ArrowType.Int(64, true));
        assertThat(r.field("tstz_arr").getChildren().get(0).getType()).isEqualTo(ArrowTypes.TIMESTAMPTZ);
        assertThat(r.field("jsonb_arr").getChildren().get(0).getMetadata()).containsEntry("ARROW:extension:name", "arrow.json");
        assertThat(r.field("date_arr").getChildren().get(0).getType()).isEqualTo(ArrowTypes.DATE32);
        assertThat(r.field("num_arr").getChildren().get(0).getType()).isEqualTo(ArrowType.Utf8.INSTANCE);

        // Row 1 (index 0): extremes and specials.
        assertThat(r.col("i8").get(0)).isEqualTo(Long.MAX_VALUE);
        assertThat(r.col("i8").get(1)).isEqualTo(Long.MIN_VALUE);
        assertThat((Double) r.col("f8").get(0)).isNaN();
        assertThat(r.col("f8").get(1)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(r.col("num").get(0)).isEqualTo("NaN");
        assertThat(r.col("num").get(3)).isEqualTo("12345678901234567890.123456789");
        assertThat(r.col("num").get(4)).isEqualTo("-0.10");
        assertThat(r.col("num_scaled").get(3)).isEqualTo(new BigDecimal("5.00"));
        assertThat(r.col("d").get(0)).as("infinite dates have no date32").isNull();
        assertThat(r.col("d").get(2)).isEqualTo((int) LocalDate.of(2024, 2, 29).toEpochDay());
        assertThat(r.col("ts").get(0)).isNull();
        assertThat(r.col("ts").get(2)).isEqualTo(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000));
        assertThat(r.col("tstz").get(0)).isEqualTo(micros(Instant.parse("2024-06-01T01:30:00Z")));
        assertThat(r.col("tm").get(0)).isEqualTo(LocalTime.of(13, 45, 1).toNanoOfDay() / 1_000);
        assertThat(r.col("tmtz").get(0)).isEqualTo("13:45:00.5+02");
        assertThat(r.col("t").get(3)).as("empty string, not NULL").isEqualTo("");
        assertThat(json(r.col("js").get(0))).isEqualTo(JSON.readTree("{\"n\":1,\"tags\":[\"a\",1]}"));
        assertThat(json(r.col("jsb").get(0))).isEqualTo(JSON.readTree("{\"n\":1,\"even\":false}"));
        assertThat(r.col("jsb").get(4)).as("jsonb 'null' is stored as NULL").isNull();
        assertThat((byte[]) r.col("bin").get(0)).containsExactly(0, 0, 1, 0xff);
        assertThat(r.col("iv").get(0)).isEqualTo("00:01:00");
        assertThat(r.col("int_arr").get(0)).isEqualTo(java.util.Arrays.asList(1L, null, 3L));
        assertThat(r.col("text_arr2").get(0)).as("two dimensions flattened row-major").isEqualTo(java.util.Arrays.asList("a", "b", "c", null));
        assertThat(r.col("date_arr").get(0)).isEqualTo(java.util.Arrays.asList(null, (int) LocalDate.of(2024, 2, 29).toEpochDay()));
        assertThat(r.col("num_arr").get(0)).isEqualTo(List.of("-0.10", "1.5"));
        assertThat(json(((List<?>) r.col("jsonb_arr").get(0)).get(1))).isEqualTo(JSON.readTree("[1, 2]"));

        // Row 10: NULL in every column but id.
        for (Map.Entry<String, List<Object>> c : r.columns().entrySet()) {
            if (!c.getKey().equals("id")) {
                assertThat(c.getValue().get(9)).as(c.getKey()).isNull();
            }
        }
    }

    @Test
    void edgeValuesKeepNaNApartFromNullAndDecimalsExact() throws Exception {
        Read r = read(frameOf("""
                SELECT id, n, f, e, u, big::numeric(40,4) AS big, max38::numeric(38,0) AS max38,
                       huge::numeric(90,2) AS huge, neg::numeric(10,3) AS neg, at, b, nothing, no_arr
                FROM (VALUES
                  (1, NULL::bigint, 'NaN'::float8, ''::text, '😀𝄞 é'::text, 123456789012345678901234567890123456.7891,
                   99999999999999999999999999999999999999, 1e80 + 0.25, -0.001,
                   TIMESTAMPTZ '2024-01-02 03:04:05.5+05:30', true, NULL::text, NULL::int[]),
                  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
                ) AS v(id, n, f, e, u, big, max38, huge, neg, at, b, nothing, no_arr)
                ORDER BY id"""));
        assertThat((Double) r.col("f").get(0)).isNaN();
        assertThat(r.col("f").get(1)).as("NULL is not NaN").isNull();
        assertThat(r.col("e").get(0)).isEqualTo("");
        assertThat(r.col("e").get(1)).isNull();
        assertThat(r.col("u").get(0)).isEqualTo("😀𝄞 é");
        assertThat(r.type("big")).isEqualTo(new ArrowType.Decimal(40, 4, 256));
        assertThat(r.col("big").get(0)).isEqualTo(new BigDecimal("123456789012345678901234567890123456.7891"));
        assertThat(r.type("max38")).isEqualTo(new ArrowType.Decimal(38, 0, 128));
        assertThat(r.col("max38").get(0)).isEqualTo(new BigDecimal("99999999999999999999999999999999999999"));
        assertThat(r.type("huge")).as("precision over 76: exact text").isEqualTo(ArrowType.Utf8.INSTANCE);
        assertThat(r.col("huge").get(0)).isEqualTo("1" + "0".repeat(80) + ".25");
        assertThat(r.col("neg").get(0)).isEqualTo(new BigDecimal("-0.001"));
        assertThat(r.col("at").get(0)).isEqualTo(micros(Instant.parse("2024-01-01T21:34:05.5Z")));
        assertThat(r.col("b")).containsExactly(true, null);
        for (String allNull : List.of("n", "nothing", "no_arr", "big", "at")) {
            assertThat(r.col(allNull).get(1)).as(allNull).isNull();
        }
        assertThat(r.col("nothing")).containsExactly(null, null);
    }

    @Test
    void aFrameThatWentThroughPandasKeepsItsValuesInArrow() throws Exception {
        String sqlKey = frameOf("""
                SELECT id, i8, f8, t, num, d, ts, tstz, tm, jsb, bin, int_arr, '😀𝄞'::text AS emoji
                FROM all_kinds WHERE id IN (1, 2, 3, 4, 10) ORDER BY id""");
        var step = agent.post("/execute-on-data", JSON.writeValueAsString(Map.of(
                "code", "result_df = input_data['prev']", "cache_keys", Map.of("prev", sqlKey), "exact_decimals", true)));
        assertThat(step.status()).as(step.body()).isEqualTo(200);
        Read r = read(step.json().path("cache_key").asText());
        assertThat(r.col("id")).hasSize(5);
        assertThat(r.type("i8")).isEqualTo(ArrowTypes.INT64);
        assertThat(r.col("i8").get(0)).isEqualTo(Long.MAX_VALUE);
        assertThat(r.col("i8").get(4)).as("NULL survives pandas' Int64").isNull();
        assertThat((Double) r.col("f8").get(0)).isNaN();
        // pandas' float64 cannot tell NULL from NaN (docs/frame-format.md, lossy corners); Arrow gets what pandas had.
        assertThat((Double) r.col("f8").get(4)).isNaN();
        assertThat(r.col("t").get(3)).isEqualTo("");
        assertThat(r.col("emoji").get(0)).isEqualTo("😀𝄞");
        assertThat(r.col("num").get(3)).as("Decimal stays exact").isEqualTo("12345678901234567890.123456789");
        assertThat(r.type("tstz")).isEqualTo(ArrowTypes.TIMESTAMPTZ);
        assertThat(r.col("tstz").get(0)).isEqualTo(micros(Instant.parse("2024-06-01T01:30:00Z")));
        assertThat(r.col("ts").get(2)).isEqualTo(LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000));
        assertThat(r.col("bin").get(0)).isInstanceOf(byte[].class);
        // pandas holds arrays as Python lists, which a Python step returns as json.
        assertThat(r.field("int_arr").getMetadata()).containsEntry("ARROW:extension:name", "arrow.json");
        assertThat(json(r.col("int_arr").get(0))).isEqualTo(JSON.readTree("[1,null,3]"));
        for (Map.Entry<String, List<Object>> c : r.columns().entrySet()) {
            if (!List.of("id", "emoji", "f8").contains(c.getKey())) {
                assertThat(c.getValue().get(4)).as(c.getKey()).isNull();
            }
        }
        // The same frame through the JSON and CSV exports: the same values, in their documented encodings.
        String key = step.json().path("cache_key").asText();
        JsonNode exported = JSON.readTree(agent.get("/frames/" + key + "/data").body());
        List<String> names = new java.util.ArrayList<>();
        exported.path("columns").forEach(n -> names.add(n.asText()));
        assertThat(names).containsExactly("id", "i8", "f8", "t", "num", "d", "ts", "tstz", "tm", "jsb", "bin", "int_arr",
                "emoji");
        JsonNode rows = exported.path("rows");
        assertThat(rows).hasSize(5);
        assertThat(rows.get(0).get(names.indexOf("i8")).asLong()).isEqualTo(Long.MAX_VALUE);
        assertThat(rows.get(0).get(names.indexOf("f8")).asText()).isEqualTo("NaN");
        assertThat(rows.get(3).get(names.indexOf("t")).asText()).isEmpty();
        assertThat(rows.get(3).get(names.indexOf("num")).asText()).isEqualTo("12345678901234567890.123456789");
        assertThat(rows.get(0).get(names.indexOf("tstz")).asText()).isEqualTo("2024-06-01T01:30:00Z");
        assertThat(rows.get(0).get(names.indexOf("emoji")).asText()).isEqualTo("😀𝄞");
        assertThat(rows.get(0).get(names.indexOf("int_arr")).toString()).isEqualTo("[1,null,3]");
        for (String name : names) {
            if (!List.of("id", "emoji", "f8").contains(name)) {
                assertThat(rows.get(4).get(names.indexOf(name)).isNull()).as("NULL %s in JSON", name).isTrue();
            }
        }
        String csv = agent.get("/frames/" + key + "/data?format=csv").body();
        String[] lines = csv.split("\r\n");
        assertThat(lines).hasSize(6);
        assertThat(lines[0]).isEqualTo(String.join(",", names));
        assertThat(lines[4]).contains("12345678901234567890.123456789");
        assertThat(lines[1]).contains("😀𝄞").contains("NaN").contains(Long.toString(Long.MAX_VALUE));
    }

    @Test
    void aLargeFrameStreamsInSeveralBoundedBatches() throws Exception {
        Read r = read(frameOf("SELECT g AS n, repeat('x', 1000) AS pad FROM generate_series(1, 20000) g"));
        assertThat(r.col("n")).hasSize(20000);
        assertThat(r.col("n").get(19999)).isEqualTo(20000L);
        // 20,000 rows of ~1 KB: the 8 MiB byte bound cuts batches before the 8,192-row bound.
        assertThat(r.batches()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void anEmptyFrameIsASchemaWithoutBatches() throws Exception {
        Read r = read(frameOf("SELECT 1::int AS a, 'x'::text AS b WHERE false"));
        assertThat(r.schema().getFields()).extracting(Field::getName).containsExactly("a", "b");
        assertThat(r.col("a")).isEmpty();
    }

    @Test
    void anUnknownFormatIsAValidationErrorNamingTheAcceptedOnes() {
        String key = frameOf("SELECT 1 AS a");
        var r = agent.get("/frames/" + key + "/data?format=parquet");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("VALIDATION_ERROR");
        assertThat(r.body()).contains("json, csv, arrow").contains("parquet");
    }

    @Test
    void csvAndJsonAreUnchanged() {
        String key = frameOf("SELECT 1 AS a, NULL::text AS b");
        assertThat(agent.get("/frames/" + key + "/data").body()).isEqualTo("{\"columns\":[\"a\",\"b\"],\"rows\":[[1,null]]}");
        assertThat(agent.get("/frames/" + key + "/data?format=csv").body()).isEqualTo("a,b\r\n1,\r\n");
    }
}
