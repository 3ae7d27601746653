package dev.dea.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /frames: files uploaded as frames, over real HTTP on the PostgreSQL fixture. */
class UploadsApiIT {
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        // MAX_REQUEST_BYTES below the uploads the tests send: it bounds JSON bodies, UPLOAD_MAX_BYTES uploads.
        agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()), Map.of("UPLOAD_MAX_BYTES", "64KB",
                "FRAME_MAX_BYTES", "32KB", "MAX_REQUEST_BYTES", "16KB"));
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    static AgentHarness.Reply upload(String query, String contentType, byte[] body) {
        return agent.send(HttpRequest.newBuilder(agent.uri("/frames" + query))
                .header("Authorization", "Bearer " + AgentHarness.TOKEN)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    static AgentHarness.Reply upload(String query, String contentType, String body) {
        return upload(query, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> kinds(JsonNode description) {
        Map<String, String> kinds = new java.util.LinkedHashMap<>();
        description.path("result_schema").forEach(c -> kinds.put(c.path("name").asText(), c.path("kind").asText()));
        return kinds;
    }

    private static JsonNode rows(String key) {
        return agent.get("/frames/" + key + "/data?format=json").json().path("rows");
    }

    private static List<String> uploadKeys() {
        List<String> keys = new ArrayList<>();
        agent.get("/frames?kind=upload&limit=500").json().path("frames")
                .forEach(f -> keys.add(f.path("cache_key").asText(f.path("key").asText())));
        return keys;
    }

    @Test
    void csvWithAHeaderBecomesAFrameWithInferredKindsAndQuotedFieldsIntact() {
        String csv = "id,name,price,active,day,at,at_tz,note\r\n"
                + "1,\"Smith, Jane\",12.5,true,2024-01-31,2024-01-31T10:15:00,2024-01-31T10:15:00Z,\"say \"\"hi\"\"\"\r\n"
                + "2,\"two\nlines\",3,FALSE,2024-02-29,2024-02-29 23:59:59.5,2024-02-29 23:59:59+02:00,\r\n"
                + "3,,,,,,,plain\r\n";
        var r = upload("?name=people.csv", "text/csv", csv);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        String key = r.json().path("cache_key").asText();
        assertThat(r.header("Location")).isEqualTo("/frames/" + key);
        assertThat(r.json().path("row_count").asLong()).isEqualTo(3);
        assertThat(r.json().path("provenance").path("kind").asText()).isEqualTo("upload");
        assertThat(r.json().path("provenance").path("source").asText()).isEqualTo("people.csv");
        assertThat(kinds(r.json())).containsExactly(Map.entry("id", "int64"), Map.entry("name", "string"),
                Map.entry("price", "float64"), Map.entry("active", "bool"), Map.entry("day", "date"),
                Map.entry("at", "timestamp"), Map.entry("at_tz", "timestamptz"), Map.entry("note", "string"));
        assertThat(r.json().path("data").path("rows").size()).isEqualTo(3);

        JsonNode rows = rows(key);
        assertThat(rows.get(0).get(1).asText()).isEqualTo("Smith, Jane");
        assertThat(rows.get(0).get(7).asText()).isEqualTo("say \"hi\"");
        assertThat(rows.get(1).get(1).asText()).isEqualTo("two\nlines");
        assertThat(rows.get(1).get(3).asBoolean()).isFalse();
        assertThat(rows.get(1).get(2).asDouble()).isEqualTo(3.0);
        assertThat(rows.get(1).get(7).isNull()).as("an empty cell is NULL").isTrue();
        for (int c = 1; c <= 6; c++) {
            assertThat(rows.get(2).get(c).isNull()).as("column " + c).isTrue();
        }
        assertThat(agent.get("/frames/" + key).json().path("provenance").path("kind").asText()).isEqualTo("upload");
        assertThat(uploadKeys()).contains(key);
        assertThat(agent.get("/frames/" + key + "/data?format=csv").body().lines().findFirst())
                .hasValue("id,name,price,active,day,at,at_tz,note");
    }

    @Test
    void everyUploadIsInTheAuditTrailAndTheExecutionHistory() {
        String name = "audited-" + System.nanoTime() + ".csv";
        var ok = upload("?name=" + name, "text/csv", "a,b\n1,2\n3,4\n");
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
        var refused = upload("?name=" + name + "-bad", "text/csv", "a,b\n1,2,3\n");
        assertThat(refused.status()).isEqualTo(400);

        JsonNode executions = agent.get("/executions?kind=upload&limit=500").json().path("executions");
        JsonNode success = null;
        JsonNode error = null;
        for (JsonNode e : executions) {
            String first = e.path("code_first_line").asText();
            if (first.equals(name)) {
                success = e;
            } else if (first.equals(name + "-bad")) {
                error = e;
            }
        }
        assertThat(success).as(executions.toString()).isNotNull();
        assertThat(success.path("status").asText()).isEqualTo("success");
        assertThat(success.path("rows").asLong()).isEqualTo(2);
        assertThat(success.path("cache_key").asText()).isEqualTo(ok.json().path("cache_key").asText());
        assertThat(error).as(executions.toString()).isNotNull();
        assertThat(error.path("status").asText()).isEqualTo("error");
        assertThat(error.path("error_type").asText()).isEqualTo("VALIDATION_ERROR");
    }

    @Test
    void timeColumnsAreStoredWithTheirSecondsAsPostgresPrintsThem() {
        var r = upload("?types=t:time", "text/csv", "id,t\n1,13:45\n2,08:00:30.5\n");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(kinds(r.json())).containsEntry("t", "time");
        JsonNode rows = rows(r.json().path("cache_key").asText());
        assertThat(rows.get(0).get(1).asText()).isEqualTo("13:45:00");
        assertThat(rows.get(1).get(1).asText()).isEqualTo("08:00:30.5");
    }

    @Test
    void tsvAndATypesOverrideAndNoHeader() {
        var r = upload("?types=" + URLEncoder.encode("column_1:string,column_2:decimal", StandardCharsets.UTF_8)
                + "&header=false", "text/tab-separated-values", "007\t1.10\n008\t2.25\n");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(kinds(r.json())).containsExactly(Map.entry("column_1", "string"), Map.entry("column_2", "decimal"));
        JsonNode rows = rows(r.json().path("cache_key").asText());
        assertThat(rows.get(0).get(0).asText()).isEqualTo("007");
        assertThat(rows.get(0).get(1).asText()).isEqualTo("1.10");
    }

    @Test
    void aValueBreakingATypesOverrideNamesRowAndColumn() {
        var r = upload("?types=n:int64", "text/csv", "k,n\na,1\nb,x\n");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("VALIDATION_ERROR");
        assertThat(r.json().path("detail").path("row").asLong()).isEqualTo(3);
        assertThat(r.json().path("detail").path("column").asInt()).isEqualTo(2);
        assertThat(r.json().path("detail").path("column_name").asText()).isEqualTo("n");
        assertThat(upload("?types=nope:int64", "text/csv", "k,n\na,1\n").errorType()).isEqualTo("VALIDATION_ERROR");
    }

    @Test
    void aRaggedRowIs400NamingRowAndColumnAndCachesNothing() throws IOException {
        int before = agent.services().cache().stats().frames();
        List<String> uploadsBefore = uploadKeys();
        var r = upload("", "text/csv", "a,b,c\n1,2,3\n4,5\n");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("VALIDATION_ERROR");
        assertThat(r.json().path("detail").path("message").asText()).contains("row 3").contains("column 3").contains("'c'");
        assertThat(r.json().path("detail").path("row").asLong()).isEqualTo(3);
        assertThat(r.json().path("detail").path("column").asInt()).isEqualTo(3);
        var quote = upload("", "text/csv", "a,b\n1,\"open\n2,3\n");
        assertThat(quote.status()).isEqualTo(400);
        assertThat(quote.json().path("detail").path("row").asLong()).isEqualTo(2);
        assertThat(quote.json().path("detail").path("column").asInt()).isEqualTo(2);
        assertThat(uploadKeys()).isEqualTo(uploadsBefore);
        assertThat(agent.services().cache().stats().frames()).isEqualTo(before);
        try (var spooled = java.nio.file.Files.list(agent.cacheDir().resolve("uploads"))) {
            assertThat(spooled).as("no spool file left behind").isEmpty();
        }
    }

    @Test
    void anUploadLargerThanAFrameMayBeIsResultTooLargeAndCachesNothing() {
        int before = agent.services().cache().stats().frames();
        StringBuilder csv = new StringBuilder("a,b\n");
        while (csv.length() < 60 * 1024) {
            csv.append("some text,more text\n");
        }
        var r = upload("", "text/csv", csv.toString());
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("RESULT_TOO_LARGE");
        assertThat(agent.services().cache().stats().frames()).isEqualTo(before);
    }

    @Test
    void jsonLinesTakeTheUnionOfKeysAndKeepNestedValuesAsJson() {
        String jsonl = "{\"id\": 1, \"tags\": [\"a\", \"b\"], \"x\": 1.5}\n\n{\"id\": 2, \"meta\": {\"k\": true}, \"x\": 2}\n";
        var r = upload("", "application/x-ndjson", jsonl);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(kinds(r.json())).containsExactly(Map.entry("id", "int64"), Map.entry("tags", "json"),
                Map.entry("x", "float64"), Map.entry("meta", "json"));
        JsonNode rows = rows(r.json().path("cache_key").asText());
        assertThat(rows.get(0).get(1).get(1).asText()).isEqualTo("b");
        assertThat(rows.get(0).get(3).isNull()).isTrue();
        assertThat(rows.get(1).get(3).path("k").asBoolean()).isTrue();

        var bad = upload("", "application/jsonl", "{\"a\": 1}\n[1, 2]\n");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("detail").path("row").asLong()).isEqualTo(2);
        assertThat(bad.json().path("detail").path("message").asText()).contains("not a JSON object");
    }

    @Test
    void anArrowExportOfASqlResultUploadsBackWithTheSameColumnsAndValues() throws Exception {
        String sql = "SELECT artist_id, name, artist_id * 1.5::float8 AS f, artist_id % 2 = 0 AS even, "
                + "DATE '2024-01-01' + artist_id AS d, TIMESTAMPTZ '2024-01-01 00:00:00+00' + artist_id * INTERVAL '1 hour' AS ts, "
                + "(artist_id || '.25')::numeric(10,2) AS amount, ARRAY[artist_id, 2] AS arr, ARRAY[DATE '2024-01-01' + artist_id, NULL] AS darr, '{\"a\": [1, 2]}'::jsonb AS j, "
                + "TIMESTAMP '2024-01-01 10:00:00' AS local_ts, NULL::text AS nothing FROM music.artist ORDER BY artist_id LIMIT 5";
        var result = agent.sql(sql);
        assertThat(result.status()).as(result.body()).isEqualTo(200);
        String key = result.json().path("cache_key").asText();
        HttpResponse<byte[]> arrow = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        agent.uri("/frames/" + key + "/data?format=arrow"))
                .header("Authorization", "Bearer " + AgentHarness.TOKEN).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(arrow.statusCode()).isEqualTo(200);
        var r = upload("", "application/vnd.apache.arrow.stream", arrow.body());
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(kinds(r.json())).isEqualTo(kinds(agent.get("/frames/" + key).json()));
        assertThat(rows(r.json().path("cache_key").asText())).isEqualTo(rows(key));
    }

    @Test
    void anXlsxWorkbookBecomesAFrame() throws IOException {
        var r = upload("?sheet=Data", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", workbook());
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(kinds(r.json())).containsExactly(Map.entry("id", "int64"), Map.entry("name", "string"),
                Map.entry("price", "float64"), Map.entry("ok", "bool"), Map.entry("day", "date"));
        JsonNode rows = rows(r.json().path("cache_key").asText());
        assertThat(rows.get(0).get(1).asText()).isEqualTo("apple");
        assertThat(rows.get(1).get(1).asText()).isEqualTo("inline pear");
        assertThat(rows.get(0).get(4).asText()).isEqualTo("2024-01-31");
        assertThat(rows.get(1).get(2).isNull()).isTrue();
        assertThat(upload("?sheet=Nope", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                workbook()).errorType()).isEqualTo("VALIDATION_ERROR");
    }

    @Test
    void multipartTakesTheFilePartAndItsFileName() {
        String boundary = "----dea" + System.nanoTime();
        String body = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"comment\"\r\n\r\nignored\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"sales.csv\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n"
                + "region,amount\r\nnorth,10\r\nsouth,20\r\n"
                + "\r\n--" + boundary + "--\r\n";
        var r = upload("", "multipart/form-data; boundary=" + boundary, body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("provenance").path("source").asText()).isEqualTo("sales.csv");
        assertThat(r.json().path("row_count").asLong()).isEqualTo(2);
        assertThat(kinds(r.json())).containsExactly(Map.entry("region", "string"), Map.entry("amount", "int64"));
    }

    @Test
    void unsupportedEmptyOversizedAndUnauthenticatedUploadsAreRefused() {
        var plain = upload("", "text/plain", "a,b\n1,2\n");
        assertThat(plain.status()).isEqualTo(415);
        assertThat(plain.errorType()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
        assertThat(plain.json().path("detail").path("message").asText()).contains("text/csv");

        assertThat(upload("", "text/csv", "").status()).isEqualTo(400);

        StringBuilder big = new StringBuilder("a,b\n");
        while (big.length() < 70 * 1024) {
            big.append("12345,67890\n");
        }
        var tooLarge = upload("", "text/csv", big.toString());
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.errorType()).isEqualTo("PAYLOAD_TOO_LARGE");

        var anonymous = agent.send(HttpRequest.newBuilder(agent.uri("/frames")).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString("a\n1\n")).build());
        assertThat(anonymous.status()).isEqualTo(401);
    }

    @Test
    void anUploadedFrameChainsIntoPandasLikeAnyOther() throws Exception {
        String key = upload("?name=sales.csv", "text/csv", "region,amount\nnorth,10\nsouth,20\n").json().path("cache_key").asText();
        String body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of(
                "code", "df = input_data['sales']\nresult_df = df.assign(double=df['amount'] * 2)",
                "cache_keys", Map.of("sales", key)));
        var r = agent.post("/execute-on-data", body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String result = r.json().path("cache_key").asText();
        JsonNode rows = rows(result);
        assertThat(rows.get(1).get(0).asText()).isEqualTo("south");
        assertThat(rows.get(1).get(2).asLong()).isEqualTo(40);
        assertThat(agent.get("/frames/" + result).json().path("provenance").path("parent_keys").get(0).asText())
                .isEqualTo(key);
    }

    @Test
    void theOpenApiDocumentListsEveryUploadMediaType() {
        JsonNode content = agent.get("/openapi.json").json().path("paths").path("/frames").path("post")
                .path("requestBody").path("content");
        List<String> types = new ArrayList<>();
        content.fieldNames().forEachRemaining(types::add);
        assertThat(types).contains("text/csv", "text/tab-separated-values", "application/x-ndjson",
                "application/vnd.apache.arrow.stream", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "multipart/form-data");
        assertThat(agent.get("/openapi.json").json().path("paths").path("/frames").path("post").path("responses")
                .has("415")).isTrue();
    }

    @Test
    void anExcelErrorCellNamesItsRowAndColumn() throws IOException {
        var r = upload("?sheet=2", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", workbook("""
                <row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c><c r="B1" t="inlineStr"><is><t>y</t></is></c></row>
                <row r="4"><c r="A4"><v>1</v></c><c r="B4" t="e"><v>#DIV/0!</v></c></row>"""));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().path("detail").path("row").asLong()).isEqualTo(4);
        assertThat(r.json().path("detail").path("column").asInt()).isEqualTo(2);
        assertThat(r.json().path("detail").path("column_name").asText()).isEqualTo("y");
        assertThat(r.json().path("detail").path("message").asText()).contains("#DIV/0!");
    }

    /** A minimal workbook: two sheets, shared and inline strings, a boolean, a date-styled number. */
    static byte[] workbook() throws IOException {
        return workbook("""
                <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>
                  <c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>
                <row r="2"><c r="A2"><v>1</v></c><c r="B2" t="s"><v>5</v></c><c r="C2"><v>1.25</v></c>
                  <c r="D2" t="b"><v>1</v></c><c r="E2" s="1"><v>45322</v></c></row>
                <row r="3"><c r="A3"><v>2</v></c><c r="B3" t="inlineStr"><is><t>inline pear</t></is></c>
                  <c r="D3" t="b"><v>0</v></c><c r="E3" s="1"><v>45323</v></c></row>""");
    }

    /** The workbook with {@code rows} as the sheet "Data"'s rows. */
    static byte[] workbook(String rows) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            put(zip, "[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>");
            put(zip, "xl/workbook.xml", """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
                              xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
                      <sheets><sheet name="Empty" sheetId="1" r:id="rId1"/><sheet name="Data" sheetId="2" r:id="rId2"/></sheets>
                    </workbook>""");
            put(zip, "xl/_rels/workbook.xml.rels", """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
                      <Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/>
                      <Relationship Id="rId2" Type="worksheet" Target="worksheets/sheet2.xml"/>
                    </Relationships>""");
            put(zip, "xl/sharedStrings.xml", """
                    <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
                      <si><t>id</t></si><si><t>name</t></si><si><t>price</t></si><si><t>ok</t></si><si><t>day</t></si>
                      <si><r><t>app</t></r><r><t>le</t></r></si>
                    </sst>""");
            put(zip, "xl/styles.xml", """
                    <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
                      <numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>
                      <cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs>
                    </styleSheet>""");
            put(zip, "xl/worksheets/sheet1.xml", """
                    <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>""");
            put(zip, "xl/worksheets/sheet2.xml", """
                    <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
                    """ + rows + "</sheetData></worksheet>");
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, String text) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(text.strip().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }
}
