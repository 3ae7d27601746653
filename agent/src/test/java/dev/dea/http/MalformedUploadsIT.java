package dev.dea.http;

import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files that break their format in ways a reader could trip over: each is a 4xx naming the
 * place, never a 500, never a huge allocation, and nothing is left in the cache or the spool.
 */
class MalformedUploadsIT {
    private static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    /** The test workbook's rows are its second sheet's. */
    private static final String DATA_SHEET = "?sheet=2";
    private static AgentHarness agent;
    private static int framesBefore;

    @BeforeAll
    static void start() {
        agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()), Map.of("UPLOAD_MAX_BYTES", "256KB"));
        framesBefore = agent.services().cache().stats().frames();
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    @AfterEach
    void nothingIsKept() throws IOException {
        assertThat(agent.services().cache().stats().frames()).as("frames cached").isEqualTo(framesBefore);
        try (var spooled = Files.list(agent.cacheDir().resolve("uploads"))) {
            assertThat(spooled).as("spool files left behind").isEmpty();
        }
    }

    private static AgentHarness.Reply upload(String contentType, byte[] body) {
        return upload("", contentType, body);
    }

    private static AgentHarness.Reply upload(String query, String contentType, byte[] body) {
        return agent.send(HttpRequest.newBuilder(agent.uri("/frames" + query))
                .header("Authorization", "Bearer " + AgentHarness.TOKEN)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    @Test
    void aCsvThatIsNotUtf8Is400NamingTheFirstLineThatIsNot() {
        // A spreadsheet's "CSV" export in Windows-1252: "é" is the single byte 0xE9.
        byte[] body = "city,n\nParis,1\nLyon,2\nOrl\u00e9ans,3\n".getBytes(StandardCharsets.ISO_8859_1);
        var r = upload("text/csv", body);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("VALIDATION_ERROR");
        assertThat(r.json().path("detail").path("row").asLong()).isEqualTo(4);
        assertThat(r.json().path("detail").path("message").asText()).contains("not UTF-8");
    }

    @Test
    void jsonLinesThatAreNotUtf8Are400NamingTheLine() {
        String lines = "{\"a\":\"x\"}\n".repeat(5000) + "{\"a\":\"caf\u00e9\"}\n";
        var r = upload("application/x-ndjson", lines.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().path("detail").path("row").asLong()).isEqualTo(5001);
    }

    @Test
    void aHeaderWiderThanAFrameMayBeIsRefusedBeforeAnythingIsBuilt() {
        String header = IntStream.rangeClosed(1, 4097).mapToObj(i -> "c" + i).collect(Collectors.joining(","));
        var r = upload("text/csv", (header + "\n").getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("RESULT_TOO_LARGE");
        assertThat(r.json().path("detail").path("max_columns").asInt()).isEqualTo(4096);
        String wide = IntStream.rangeClosed(1, 4097).mapToObj(i -> "\"k" + i + "\":1")
                .collect(Collectors.joining(",", "{", "}\n"));
        assertThat(upload("application/x-ndjson", wide.getBytes(StandardCharsets.UTF_8)).errorType())
                .isEqualTo("RESULT_TOO_LARGE");
    }

    @Test
    void anXlsxCellBeyondTheLastColumnIs400NotAHeapOfNulls() throws IOException {
        var r = upload(DATA_SHEET, XLSX, UploadsApiIT.workbook("""
                <row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>
                <row r="2"><c r="ZZZZZZZZ2"><v>1</v></c></row>"""));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("VALIDATION_ERROR");
        assertThat(r.json().path("detail").path("row").asLong()).isEqualTo(2);
        assertThat(r.json().path("detail").path("message").asText()).contains("XFD");
    }

    @Test
    void anXlsxRowOrStyleThatIsNoNumberAndADateBeyondExcelsAre400() throws IOException {
        var row = upload(DATA_SHEET, XLSX, UploadsApiIT.workbook("""
                <row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>
                <row r="two"><c><v>1</v></c></row>"""));
        assertThat(row.status()).as(row.body()).isEqualTo(400);
        assertThat(row.json().path("detail").path("row").asLong()).isEqualTo(2);
        var style = upload(DATA_SHEET, XLSX, UploadsApiIT.workbook("""
                <row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>
                <row r="2"><c r="A2" s="bold"><v>1</v></c></row>"""));
        assertThat(style.status()).as(style.body()).isEqualTo(400);
        assertThat(style.json().path("detail").path("column").asInt()).isEqualTo(1);
        var date = upload(DATA_SHEET, XLSX, UploadsApiIT.workbook("""
                <row r="1"><c r="A1" t="inlineStr"><is><t>day</t></is></c></row>
                <row r="2"><c r="A2" s="1"><v>1e300</v></c></row>"""));
        assertThat(date.status()).as(date.body()).isEqualTo(400);
        assertThat(date.json().path("detail").path("message").asText()).contains("no date");
    }

    @Test
    void aDecimalOrTimestampBeyondWhatAFrameStoresIs400NamingTheCell() {
        // "1e999999999" is a gigabyte of digits once written out: refused as it is read, not expanded.
        var decimal = upload("?types=a:decimal", "text/csv", "a\n1.5\n1e999999999\n".getBytes(StandardCharsets.UTF_8));
        assertThat(decimal.status()).as(decimal.body()).isEqualTo(400);
        assertThat(decimal.errorType()).isEqualTo("VALIDATION_ERROR");
        assertThat(decimal.json().path("detail").path("row").asLong()).isEqualTo(3);
        assertThat(decimal.json().path("detail").path("message").asText()).contains("digits");
        var jsonl = upload("?types=a:decimal", "application/x-ndjson", "{\"a\": 1e-999999999}\n".getBytes(StandardCharsets.UTF_8));
        assertThat(jsonl.status()).as(jsonl.body()).isEqualTo(400);
        var timestamp = upload("?types=t:timestamp", "text/csv", "t\n+300000-01-01T00:00:00\n".getBytes(StandardCharsets.UTF_8));
        assertThat(timestamp.status()).as("was a 500: " + timestamp.body()).isEqualTo(400);
        assertThat(timestamp.json().path("detail").path("column").asInt()).isEqualTo(1);
    }

    @Test
    void anXlsxCellOfMegabytesOfTextIs400BeforeItIsAllInMemory() throws IOException {
        // Deflate shrinks one repeated character about a thousandfold: a small upload, a huge cell.
        String huge = "x".repeat((int) 1_100_000);
        var r = upload(DATA_SHEET, XLSX, UploadsApiIT.workbook("""
                <row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>
                <row r="2"><c r="A2" t="inlineStr"><is><t>""" + huge + "</t></is></c></row>"));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().path("detail").path("row").asLong()).isEqualTo(2);
        assertThat(r.json().path("detail").path("message").asText()).contains("longer than");
    }

    @Test
    void aMultipartBodyCutAfterTheFilePartLeavesNoCopyOfTheFile() {
        String boundary = "----dea" + System.nanoTime();
        String body = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"sales.csv\"\r\n\r\n"
                + "region,amount\r\nnorth,10\r\n"
                + "\r\n--" + boundary;
        var r = upload("multipart/form-data; boundary=" + boundary, body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("VALIDATION_ERROR");
    }
}
