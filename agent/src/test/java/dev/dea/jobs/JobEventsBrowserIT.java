package dev.dea.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.AgentOnDatabase;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real browser's {@code EventSource} (Debian's headless Chromium) follows a running job's
 * events. A browser cannot put the bearer token on an EventSource, so, as in a deployment, the
 * page is served by the platform's backend, which forwards {@code /jobs/...} to the agent with
 * the token: here a small same-origin proxy in the test that streams the agent's bytes through
 * unbuffered. The job waits on a table lock until the browser is connected, so the page sees
 * {@code started} live and {@code result} only once the lock is released.
 */
class JobEventsBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final AgentOnDatabase fixture = AgentOnDatabase.fresh("dea_it_jobs_browser",
            "CREATE TABLE blocker (id int)",
            "INSERT INTO blocker VALUES (1), (2), (3)")
            .env(Map.of("SQL_LOCK_TIMEOUT_SECONDS", "60"));
    private static String database;
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        database = fixture.database();
        agent = fixture.agent();
    }

    @Test
    void chromiumsEventSourceReceivesTheRunningJobsEventsLiveAndItsResult() throws Exception {
        assertThat(Files.isExecutable(CHROMIUM)).as("this test needs Debian's headless Chromium at %s "
                + "(agent/test-setup.sh installs it)", CHROMIUM).isTrue();
        CountDownLatch connected = new CountDownLatch(1);
        HttpServer proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        proxy.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        String id;
        Path profile = Files.createTempDirectory("dea-chromium-sse-");
        Path stderr = Files.createTempFile("dea-chromium-sse-", ".log");
        try (Connection holder = TestPostgres.connect(database); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("LOCK TABLE blocker IN ACCESS EXCLUSIVE MODE");
            AgentHarness.Reply submitted = agent.send(HttpRequest.newBuilder(agent.uri("/execute"))
                    .header("Authorization", "Bearer " + AgentHarness.TOKEN).header("Prefer", "respond-async")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"language\":\"sql\",\"code\":\"SELECT count(*) AS n FROM blocker\"}")).build());
            assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
            id = submitted.json().get("job_id").asText();
            proxy.createContext("/", ex -> page(ex, id));
            proxy.createContext("/jobs/", ex -> forward(ex, connected));
            proxy.start();
            Process chromium = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=30000", "--dump-dom",
                    "http://127.0.0.1:" + proxy.getAddress().getPort() + "/")
                    .redirectError(stderr.toFile()).start();
            chromium.getOutputStream().close();
            assertThat(connected.await(60, TimeUnit.SECONDS)).as("the browser opened the event stream; its log: %s",
                    stderr).isTrue();
            Thread.sleep(1_000);   // the browser has the stream open and the job still running
            holder.rollback();      // the statement gets its lock and the job ends
            byte[] out = chromium.getInputStream().readAllBytes();
            assertThat(chromium.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
            String dom = new String(out, StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("<pre id=\"out\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
            assertThat(m.find()).as("the page's log of events; DOM: %s; chromium log: %s", dom, stderr).isTrue();
            JsonNode events = JSON.readTree(m.group(1).replace("&quot;", "\"").replace("&amp;", "&")
                    .replace("&lt;", "<").replace("&gt;", ">"));
            List<String> names = new ArrayList<>();
            events.forEach(e -> names.add(e.get("name").asText()));
            assertThat(names).as(events.toString()).containsSubsequence("queued", "started", "result");
            assertThat(names.getLast()).isEqualTo("result");
            JsonNode last = events.get(events.size() - 1);
            assertThat(last.get("id").asText()).as("Last-Event-ID the browser would resume from").isNotEmpty();
            JsonNode result = JSON.readTree(last.get("data").asText());
            assertThat(result.path("status").asText()).isEqualTo("succeeded");
            assertThat(result.toString()).contains("\"n\"").contains("3");
        } finally {
            proxy.stop(0);
            try (var files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(stderr);
        }
    }

    /** The page: follows the job's events and writes what it received into the DOM when the job ends. */
    private static void page(HttpExchange ex, String id) throws IOException {
        String html = """
                <!doctype html><html><body><pre id="out">waiting</pre><script>
                const seen = [];
                const es = new EventSource('/jobs/%s/events');
                for (const name of ['queued', 'started', 'progress', 'heartbeat', 'result', 'error', 'cancelled']) {
                  es.addEventListener(name, e => {
                    seen.push({name: name, id: e.lastEventId, data: e.data});
                    if (name === 'result' || name === 'error' || name === 'cancelled') {
                      es.close();
                      document.getElementById('out').textContent = JSON.stringify(seen);
                    }
                  });
                }
                </script></body></html>""".formatted(id);
        byte[] body = html.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }

    /** The platform's backend: the same path on the agent, with the token, streamed through as it arrives. */
    private static void forward(HttpExchange ex, CountDownLatch connected) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(agent.uri(ex.getRequestURI().toString()))
                .header("Authorization", "Bearer " + AgentHarness.TOKEN)
                .header("Accept", "text/event-stream");
        String lastEventId = ex.getRequestHeaders().getFirst("Last-Event-ID");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            HttpResponse<InputStream> upstream = HttpClient.newHttpClient().send(request.GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            ex.getResponseHeaders().set("Content-Type",
                    upstream.headers().firstValue("Content-Type").orElse("text/plain"));
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(upstream.statusCode(), 0);
            connected.countDown();
            try (InputStream in = upstream.body(); OutputStream out = ex.getResponseBody()) {
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ex.close();
        }
    }
}
