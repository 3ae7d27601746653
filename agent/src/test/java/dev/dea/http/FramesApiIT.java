package dev.dea.http;

import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The frame endpoints, and the limit that turns a huge result into RESULT_TOO_LARGE. */
class FramesApiIT {
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()),
                Map.of("FRAME_MAX_BYTES", "200KB", "CACHE_MAX_BYTES", "100MB"));
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    @Test
    void describesExportsAndDeletesAFrame() {
        String key = agent.sql("SELECT artist_id, name FROM music.artist ORDER BY artist_id LIMIT 20").json().path("cache_key").asText();
        var meta = agent.get("/frames/" + key);
        assertThat(meta.status()).isEqualTo(200);
        assertThat(meta.json().path("row_count").asLong()).isEqualTo(20);
        assertThat(meta.json().path("result_schema").get(1).path("sql_type").asText()).isEqualTo("varchar");

        var json = agent.get("/frames/" + key + "/data?format=json");
        assertThat(json.status()).isEqualTo(200);
        assertThat(json.json().path("rows").size()).isEqualTo(20);
        assertThat(json.json().path("rows").get(0).get(1).asText()).isEqualTo("Artist 1");

        var csv = agent.get("/frames/" + key + "/data?format=csv");
        assertThat(csv.header("Content-Type")).startsWith("text/csv");
        assertThat(csv.body().lines().findFirst()).hasValue("artist_id,name");

        assertThat(agent.get("/frames/" + key + "/data?format=xml").errorType()).isEqualTo("VALIDATION_ERROR");
        assertThat(agent.delete("/frames/" + key).status()).isEqualTo(204);
        var gone = agent.get("/frames/" + key);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().path("detail").path("message").asText()).contains(key);
        assertThat(agent.delete("/frames/" + key).status()).isEqualTo(404);
    }

    @Test
    void rejectsMalformedKeysWithoutTouchingTheDisk() {
        for (String bad : new String[] {"..%2F..%2Fetc%2Fpasswd", "not-a-key", "%2e%2e", "A".repeat(300)}) {
            var r = agent.get("/frames/" + bad);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.errorType()).isEqualTo("VALIDATION_ERROR");
        }
    }

    @Test
    void unknownKeysAre404() {
        var r = agent.get("/frames/123e4567-e89b-42d3-a456-426614174000");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorType()).isEqualTo("NOT_FOUND");
    }

    @Test
    void aResultOverTheFrameLimitIsResultTooLargeAndLeavesNothingBehind() {
        int before = agent.services().cache().stats().frames();
        var r = agent.sql("SELECT t.*, a.* FROM music.track t CROSS JOIN music.album a LIMIT 50000");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("RESULT_TOO_LARGE");
        assertThat(agent.services().cache().stats().frames()).isEqualTo(before);
        assertThat(agent.sql("SELECT 1").status()).isEqualTo(200);
    }

    @Test
    void aBrokenCacheDiskIsAnInternalErrorWithoutDetailsAndHealsWhenFixed() throws Exception {
        java.nio.file.Path tmp = agent.cacheDir().resolve("tmp");
        java.nio.file.Path aside = agent.cacheDir().resolve("tmp-aside");
        java.nio.file.Files.move(tmp, aside);
        java.nio.file.Files.writeString(tmp, "not a directory");
        try {
            var r = agent.sql("SELECT 1 AS one");
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.errorType()).isEqualTo("INTERNAL");
            assertThat(r.json().path("detail").path("message").asText())
                    .isEqualTo("Internal error; see the agent log for request " + r.header("X-Request-Id"));
            assertThat(r.body()).doesNotContain(agent.cacheDir().toString()).doesNotContain("Exception");
        } finally {
            java.nio.file.Files.delete(tmp);
            java.nio.file.Files.move(aside, tmp);
        }
        assertThat(agent.sql("SELECT 1 AS one").status()).isEqualTo(200);
    }

    @Test
    void listsTheCachedFramesNewestFirstOverHttp() {
        String first = agent.sql("SELECT 1 AS a").json().get("cache_key").asText();
        String second = agent.sql("SELECT 2 AS b\nFROM generate_series(1, 3)").json().get("cache_key").asText();
        var listed = agent.get("/frames?kind=sql&limit=2");
        assertThat(listed.status()).as(listed.body()).isEqualTo(200);
        var frames = listed.json().get("frames");
        assertThat(frames.get(0).get("cache_key").asText()).isEqualTo(second);
        assertThat(frames.get(0).get("row_count").asLong()).isEqualTo(3);
        assertThat(frames.get(0).get("provenance").get("source_first_line").asText()).isEqualTo("SELECT 2 AS b");
        assertThat(frames.get(0).has("expires_at")).isTrue();
        assertThat(frames.get(1).get("cache_key").asText()).isEqualTo(first);
        assertThat(listed.json().has("next_cursor")).isEqualTo(listed.json().get("total").asInt() > 2);
        var bad = agent.get("/frames?kind=rust");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errorType()).isEqualTo("VALIDATION_ERROR");
        assertThat(agent.getAnonymously("/frames").status()).isEqualTo(401);
    }
}
