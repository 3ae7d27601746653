package dev.dea.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files the code writes to OUT_DIR and the figures it draws come back as artifacts with keys,
 * downloadable byte for byte from GET /artifacts/{key}, against the real engine and image
 * (SANDBOX_IMAGE names a candidate image built from this branch).
 */
class ArtifactsApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String CODE = """
            import os
            df = pd.DataFrame({"city": ["Oslo", "Lima"], "n": [3, 5]})
            df.to_csv(os.path.join(OUT_DIR, "out.csv"), index=False)
            df.to_excel(OUT_DIR + "/table.xlsx", index=False)
            with open(OUT_DIR + "/report.html", "w") as f:
                f.write("<h1>Report</h1><script>alert(1)</script>")
            with open(OUT_DIR + "/big.csv", "w") as f:
                f.write("x" * (11 * 1024 * 1024))
            plt.bar(df["city"], df["n"])
            result_df = df
            """;
    private static AgentHarness agent;
    private static JsonNode result;

    @BeforeAll
    static void start() throws Exception {
        agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()),
                Map.of("SANDBOX_TIMEOUT_SECONDS", "60", "SANDBOX_POOL_SIZE", "1", "SANDBOX_TMPFS_MB", "64"));
        var reply = agent.post("/execute", JSON.writeValueAsString(Map.of("language", "python", "code", CODE)));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        result = reply.json();
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    private static Map<String, JsonNode> byName() {
        Map<String, JsonNode> out = new HashMap<>();
        result.path("artifacts").forEach(a -> out.put(a.path("name").asText(), a));
        return out;
    }

    private static HttpResponse<byte[]> download(JsonNode artifact, boolean authenticated) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(agent.uri(artifact.path("url").asText())).GET();
        if (authenticated) {
            request.header("Authorization", "Bearer " + AgentHarness.TOKEN);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void theResponseListsTheFigureAndEveryWrittenFileWithKeysAndUrls() {
        Map<String, JsonNode> artifacts = byName();
        assertThat(artifacts).containsOnlyKeys("figure-1.png", "out.csv", "table.xlsx", "report.html");
        assertThat(artifacts.get("figure-1.png").path("source").asText()).isEqualTo("figure");
        assertThat(artifacts.get("out.csv").path("source").asText()).isEqualTo("file");
        assertThat(artifacts.get("out.csv").path("media_type").asText()).isEqualTo("text/csv");
        assertThat(artifacts.get("table.xlsx").path("media_type").asText())
                .isEqualTo("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assertThat(artifacts.get("report.html").path("media_type").asText()).isEqualTo("text/html");
        artifacts.values().forEach(a -> {
            assertThat(a.path("key").asText()).matches("[0-9a-f-]{36}");
            assertThat(a.path("url").asText()).isEqualTo("/artifacts/" + a.path("key").asText());
            assertThat(a.path("size_bytes").asLong()).isPositive();
        });
        // The small figure stays inline for existing clients; files are only downloadable.
        JsonNode figure = artifacts.get("figure-1.png");
        assertThat(Base64.getDecoder().decode(figure.path("data_base64").asText())).hasSize(figure.path("size_bytes").asInt());
        assertThat(figure.path("width").asInt()).isEqualTo(640);
        assertThat(artifacts.get("out.csv").has("data_base64")).isFalse();
        assertThat(artifacts.get("out.csv").has("width")).isFalse();
        assertThat(result.path("cache_key").asText()).isNotEmpty();
    }

    @Test
    void aFileOverTheArtifactLimitIsDroppedWithANote() {
        assertThat(byName()).doesNotContainKey("big.csv");
        assertThat(result.path("stderr").asText()).contains("skipped 'big.csv' in OUT_DIR");
    }

    @Test
    void downloadsAreTheExactBytesWithSafeHeaders() throws Exception {
        Map<String, JsonNode> artifacts = byName();
        HttpResponse<byte[]> csv = download(artifacts.get("out.csv"), true);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(new String(csv.body(), StandardCharsets.UTF_8)).isEqualTo("city,n\nOslo,3\nLima,5\n");
        assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        assertThat(csv.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"out.csv\"");
        assertThat(csv.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(csv.headers().firstValue("Content-Security-Policy")).isEmpty();

        HttpResponse<byte[]> xlsx = download(artifacts.get("table.xlsx"), true);
        assertThat(xlsx.statusCode()).isEqualTo(200);
        assertThat(xlsx.body()).hasSize(artifacts.get("table.xlsx").path("size_bytes").asInt());
        assertThat(new String(xlsx.body(), 0, 2, StandardCharsets.ISO_8859_1)).isEqualTo("PK");

        HttpResponse<byte[]> html = download(artifacts.get("report.html"), true);
        assertThat(new String(html.body(), StandardCharsets.UTF_8)).isEqualTo("<h1>Report</h1><script>alert(1)</script>");
        assertThat(html.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(html.headers().firstValue("Content-Security-Policy")).hasValue("sandbox");

        JsonNode figure = artifacts.get("figure-1.png");
        HttpResponse<byte[]> png = download(figure, true);
        assertThat(png.body()).isEqualTo(Base64.getDecoder().decode(figure.path("data_base64").asText()));
        assertThat(png.headers().firstValue("Content-Type").orElse("")).startsWith("image/png");
    }

    @Test
    void downloadsNeedTheSameAuthAsEveryOtherRoute() throws Exception {
        assertThat(download(byName().get("out.csv"), false).statusCode()).isEqualTo(401);
    }

    @Test
    void unknownKeysAre404AndMalformedOnes400() {
        var unknown = agent.get("/artifacts/0b7e2c1a-4f3d-4c2b-9a8e-1d2c3b4a5f60");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorType()).isEqualTo("NOT_FOUND");
        var malformed = agent.get("/artifacts/not-a-key");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.errorType()).isEqualTo("VALIDATION_ERROR");
    }

    @Test
    void eachArtifactIsStoredBesideTheFramesWithTheFrameItCameWith() throws Exception {
        JsonNode csv = byName().get("out.csv");
        java.nio.file.Path dir = agent.cacheDir().resolve("artifacts").resolve(csv.path("key").asText());
        JsonNode meta = JSON.readTree(java.nio.file.Files.readString(dir.resolve("meta.json")));
        assertThat(meta.path("frame_key").asText()).isEqualTo(result.path("cache_key").asText());
        assertThat(meta.path("request_id").asText()).isNotEmpty();
        assertThat(meta.path("size_bytes").asLong()).isEqualTo(csv.path("size_bytes").asLong());
        assertThat(java.nio.file.Files.size(dir.resolve("data"))).isEqualTo(csv.path("size_bytes").asLong());
    }

    @Test
    void largeImagesAreDownloadOnly() throws Exception {
        var r = agent.post("/execute", JSON.writeValueAsString(Map.of("language", "python", "code",
                "fig = plt.figure(figsize=(8, 8), dpi=100)\nplt.imshow(np.random.default_rng(1).random((800, 800, 3)))")));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode figure = r.json().path("artifacts").get(0);
        assertThat(figure.path("size_bytes").asLong()).isGreaterThan(256 * 1024);
        assertThat(figure.has("data_base64")).isFalse();
        assertThat(figure.path("width").asInt()).isEqualTo(800);
        assertThat(download(figure, true).body()).hasSize((int) figure.path("size_bytes").asLong());
    }

    @Test
    void aDeletedArtifactIsGone() throws Exception {
        var r = agent.post("/execute", JSON.writeValueAsString(Map.of("language", "python",
                "code", "open(OUT_DIR + '/note.txt', 'w').write('bye')")));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String url = r.json().path("artifacts").get(0).path("url").asText();
        assertThat(agent.get(url).body()).isEqualTo("bye");
        assertThat(agent.delete(url).status()).isEqualTo(204);
        assertThat(agent.get(url).status()).isEqualTo(404);
    }
}
