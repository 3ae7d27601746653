package dev.dea.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.Main;
import dev.dea.config.DbConfig;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent as {@code java -jar} runs it, in a JVM of its own, killed with SIGKILL while a job
 * runs: no shutdown hook, no chance to write anything. The next agent on the same cache
 * directory must read that job as {@code interrupted}, never lose it or leave it running.
 */
class JobsAfterSigkillIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "sigkill-test-token-0123456789";
    private static String database;

    @TempDir
    Path tmp;

    @BeforeAll
    static void createDatabase() throws Exception {
        database = TestPostgres.freshDatabase("dea_it_jobs_sigkill");
        try (Connection c = TestPostgres.connect(database); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE blocker (id int)");
        }
    }

    @AfterAll
    static void dropDatabase() {
        TestPostgres.drop(database);
    }

    @Test
    void aJobRunningWhenTheAgentIsKilledReadsInterruptedAfterTheNextStart() throws Exception {
        Path cacheDir = tmp.resolve("cache");
        int port = freePort();
        String id;
        try (Connection holder = TestPostgres.connect(database); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            // The job's statement waits on this lock, so it is surely running when the agent dies.
            st.execute("LOCK TABLE blocker IN ACCESS EXCLUSIVE MODE");
            Process agent = startAgent(port, cacheDir);
            try {
                HttpClient http = HttpClient.newHttpClient();
                awaitUp(http, port, agent);
                HttpResponse<String> submitted = http.send(request(port, "/execute")
                        .header("Prefer", "respond-async").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"language\":\"sql\",\"code\":\"SELECT count(*) FROM blocker\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
                id = JSON.readTree(submitted.body()).get("job_id").asText();
                awaitStatus(http, port, id, "running");
            } finally {
                agent.destroyForcibly();   // SIGKILL
                assertThat(agent.waitFor(30, TimeUnit.SECONDS)).as("the killed agent exited").isTrue();
            }
            assertThat(agent.exitValue()).as("killed by SIGKILL").isEqualTo(137);
            holder.rollback();
        }
        assertThat(Files.readString(cacheDir.resolve("jobs").resolve(id + ".json")))
                .as("the record as the killed agent left it").contains("\"running\"");
        try (AgentHarness second = AgentHarness.start(TestPostgres.config(database),
                Map.of("CACHE_DIR", cacheDir.toString()))) {
            JsonNode job = second.get("/jobs/" + id).json();
            assertThat(job.get("status").asText()).isEqualTo("interrupted");
            assertThat(job.has("finished_at")).isTrue();
            assertThat(job.path("error").path("type").asText()).as(job.toString()).isEqualTo("AGENT_STOPPED");
            assertThat(job.path("error").path("message").asText()).contains("submit the step again");
        }
    }

    private Process startAgent(int port, Path cacheDir) throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx256m", "-cp", classPath, Main.class.getName())
                .directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("agent.log").toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("DB_") || k.startsWith("AGENT_") || k.startsWith("SANDBOX_")
                || k.equals("LOG_FORMAT"));
        DbConfig pg = TestPostgres.config(database);
        env.putAll(Map.of("DB_HOST", pg.host(), "DB_PORT", Integer.toString(pg.port()), "DB_USER", pg.user(),
                "DB_PASSWORD", pg.password(), "DB_NAME", database, "DB_SSL_MODE", "disable",
                "DB_ALLOW_PRIVILEGED_LOGIN", "true", "SQL_LOCK_TIMEOUT_SECONDS", "120",
                "AGENT_SECRET_TOKEN", TOKEN, "AGENT_HOST", "127.0.0.1"));
        env.put("AGENT_PORT", Integer.toString(port));
        env.put("CACHE_DIR", cacheDir.toString());
        env.put("AUDIT_LOG_PATH", tmp.resolve("audit/audit.log").toString());
        return pb.start();
    }

    private HttpRequest.Builder request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10));
    }

    private void awaitUp(HttpClient http, int port, Process agent) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            assertThat(agent.isAlive()).as("the agent is still starting; log:\n%s", log()).isTrue();
            try {
                if (http.send(request(port, "/health").GET().build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the agent did not answer /health within 90 s; log:\n" + log());
    }

    private void awaitStatus(HttpClient http, int port, String id, String wanted) throws Exception {
        String last = "";
        for (int i = 0; i < 150; i++) {
            last = http.send(request(port, "/jobs/" + id).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            if (wanted.equals(JSON.readTree(last).path("status").asText())) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job " + id + " never reached " + wanted + ": " + last);
    }

    private String log() {
        try {
            return Files.readString(tmp.resolve("agent.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
