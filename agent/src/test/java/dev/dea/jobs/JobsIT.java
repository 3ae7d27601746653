package dev.dea.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.AgentOnDatabase;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Steps as asynchronous jobs over real HTTP on a real PostgreSQL: 202, status, events, cancel, restart, limits. */
class JobsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final AgentOnDatabase fixture = AgentOnDatabase.fresh("dea_it_jobs",
            "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(8,2))",
            "INSERT INTO items SELECT g, 'item ' || g, g * 1.5 FROM generate_series(1, 500) g",
            "CREATE TABLE blocker (id int)")
            .env(Map.of("SQL_LOCK_TIMEOUT_SECONDS", "60"));
    private static String database;
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        database = fixture.database();
        agent = fixture.agent();
    }

    @Test
    void aPreferRespondAsyncExecuteAnswers202AndTheJobEndsWithTheSynchronousResult() throws Exception {
        String body = "{\"language\":\"sql\",\"code\":\"SELECT id, name, price FROM items ORDER BY id\",\"preview_rows\":5}";
        AgentHarness.Reply accepted = submit(agent, "/execute", body);
        assertThat(accepted.status()).isEqualTo(202);
        String id = accepted.json().get("job_id").asText();
        assertThat(accepted.header("Location")).isEqualTo("/jobs/" + id);
        assertThat(accepted.json().get("status_url").asText()).isEqualTo("/jobs/" + id);
        assertThat(accepted.json().get("events_url").asText()).isEqualTo("/jobs/" + id + "/events");

        JsonNode job = awaitEnd(agent, id);
        assertThat(job.get("status").asText()).isEqualTo("succeeded");
        assertThat(job.get("kind").asText()).isEqualTo("execute");
        assertThat(job.get("language").asText()).isEqualTo("sql");
        assertThat(job.has("created_at") && job.has("started_at") && job.has("finished_at")).isTrue();
        JsonNode sync = agent.post("/execute", body).json();
        JsonNode result = job.get("result");
        assertThat(result.get("status")).isEqualTo(sync.get("status"));
        assertThat(result.get("data")).isEqualTo(sync.get("data"));
        assertThat(result.get("metadata").get("columns")).isEqualTo(sync.get("metadata").get("columns"));
        assertThat(result.get("metadata").get("row_count")).isEqualTo(sync.get("metadata").get("row_count"));
        assertThat(agent.get("/frames/" + result.get("cache_key").asText()).status()).isEqualTo(200);
    }

    @Test
    void withoutTheHeaderExecuteStaysSynchronous() {
        AgentHarness.Reply reply = agent.post("/execute", "{\"language\":\"sql\",\"code\":\"SELECT 1 AS one\"}");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("status").asText()).isEqualTo("success");
    }

    @Test
    void aFailedJobCarriesTheSynchronousErrorDetail() throws Exception {
        String body = "{\"language\":\"sql\",\"code\":\"SELECT no_such_column FROM items\"}";
        String id = submit(agent, "/execute", body).json().get("job_id").asText();
        JsonNode job = awaitEnd(agent, id);
        assertThat(job.get("status").asText()).isEqualTo("failed");
        assertThat(job.get("error")).isEqualTo(agent.post("/execute", body).json().get("detail"));
    }

    @Test
    void aProfileRunsAsAJob() throws Exception {
        AgentHarness.Reply accepted = agent.send(request("/schema/items/profile").header("Prefer", "respond-async").GET().build());
        assertThat(accepted.status()).isEqualTo(202);
        JsonNode job = awaitEnd(agent, accepted.json().get("job_id").asText());
        assertThat(job.get("status").asText()).isEqualTo("succeeded");
        assertThat(job.get("kind").asText()).isEqualTo("profile");
        assertThat(job.get("result").toString()).contains("\"price\"");
        // The profile's passes over the table, each one covering all three columns, before the result.
        List<Event> events = stream(agent, accepted.json().get("job_id").asText(), null);
        List<Event> progress = events.stream().filter(e -> e.name().equals("progress")).toList();
        assertThat(progress).as(events.toString()).isNotEmpty();
        assertThat(progress.getFirst().data()).isEqualTo("{\"passes_done\":1,\"columns\":3}");
        assertThat(events.getLast().name()).isEqualTo("result");
    }

    @Test
    void theJobsAreListedNewestFirstWithoutResultsFilteredAndPaged() throws Exception {
        String first = submit(agent, "/execute", "{\"language\":\"sql\",\"code\":\"SELECT 1 AS a\"}").json().get("job_id").asText();
        awaitEnd(agent, first);
        String second = submit(agent, "/execute", "{\"language\":\"sql\",\"code\":\"SELECT 2 AS b\"}").json().get("job_id").asText();
        awaitEnd(agent, second);
        JsonNode page = agent.get("/jobs?kind=execute&limit=1").json();
        assertThat(page.get("jobs")).hasSize(1);
        assertThat(page.get("jobs").get(0).get("job_id").asText()).isEqualTo(second);
        assertThat(page.get("jobs").get(0).has("result")).as("results only through GET /jobs/{id}").isFalse();
        assertThat(page.get("jobs").get(0).get("status").asText()).isEqualTo("succeeded");
        JsonNode next = agent.get("/jobs?kind=execute&limit=1&cursor=" + page.get("next_cursor").asText()).json();
        assertThat(next.get("jobs").get(0).get("job_id").asText()).isEqualTo(first);
        assertThat(agent.get("/jobs?status=succeeded&limit=500").json().get("jobs").toString()).contains(first, second);
        assertThat(agent.get("/jobs?status=queued").json().get("jobs").toString()).doesNotContain(first);
        AgentHarness.Reply bad = agent.get("/jobs?status=done&limit=0");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("status", "limit");
    }

    @Test
    void anUnknownJobIs404() {
        assertThat(agent.get("/jobs/00000000-0000-0000-0000-000000000000").errorType()).isEqualTo("NOT_FOUND");
        assertThat(agent.get("/jobs/..%2F..%2Fetc%2Fpasswd").status()).isEqualTo(404);
        assertThat(agent.delete("/jobs/nope").errorType()).isEqualTo("NOT_FOUND");
    }

    @Test
    void theEventStreamDeliversQueuedStartedAndResultWithIdsAndResumesAfterLastEventId() throws Exception {
        String id = submit(agent, "/execute", "{\"language\":\"sql\",\"code\":\"SELECT count(*) AS n FROM items\"}")
                .json().get("job_id").asText();
        List<Event> all = stream(agent, id, null);
        assertThat(all).extracting(Event::name).containsSubsequence("queued", "started", "result");
        assertThat(all.get(all.size() - 1).name()).isEqualTo("result");
        assertThat(all).extracting(Event::name).filteredOn(n -> n.equals("result") || n.equals("error")
                || n.equals("cancelled")).hasSize(1);
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).id()).isEqualTo(i + 1L);
        }
        JsonNode last = JSON.readTree(all.get(all.size() - 1).data());
        assertThat(last).isEqualTo(agent.get("/jobs/" + id).json());

        List<Event> resumed = stream(agent, id, "1");
        assertThat(resumed).isEqualTo(all.subList(1, all.size()));
        assertThat(stream(agent, id, String.valueOf(all.size()))).isEmpty();
    }

    @Test
    void anAddressMayHoldThirtyTwoStreamsOpenAndTheNextIs429UntilOneEnds() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<InputStream> open = new ArrayList<>();
        String id;
        try (Connection holder = TestPostgres.connect(database); Statement st = holder.createStatement()) {
            // The job waits on the lock while the streams are opened.
            holder.setAutoCommit(false);
            st.execute("LOCK TABLE blocker IN ACCESS EXCLUSIVE MODE");
            id = submit(agent, "/execute", "{\"language\":\"sql\",\"code\":\"SELECT 7 AS streams_wait FROM blocker\"}")
                    .json().get("job_id").asText();
            for (int i = 0; i < JobStreams.MAX_STREAMS_PER_CLIENT; i++) {
                HttpResponse<InputStream> r = http.send(request(agent, "/jobs/" + id + "/events").GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertThat(r.statusCode()).as("stream " + (i + 1)).isEqualTo(200);
                open.add(r.body());
            }
            AgentHarness.Reply refused = agent.get("/jobs/" + id + "/events");
            assertThat(refused.status()).as(refused.body()).isEqualTo(429);
            assertThat(refused.errorType()).isEqualTo("TOO_MANY_REQUESTS");
            assertThat(refused.header("Retry-After")).isEqualTo("1");
            assertThat(agent.get("/jobs/" + id).status()).as("other calls still get through").isEqualTo(200);
            holder.rollback();
        }
        try {
            assertThat(awaitEnd(agent, id).get("status").asText()).isEqualTo("succeeded");
            // Every stream ends after the final event, and with it its place.
            for (InputStream in : open) {
                in.readAllBytes();
            }
            assertThat(stream(agent, id, null)).extracting(Event::name).contains("result");
        } finally {
            for (InputStream in : open) {
                in.close();
            }
        }
    }

    @Test
    void aLiveStreamGetsEventsAsTheyHappenAndResumesWithoutLossOrRepeat() throws Exception {
        try (Connection holder = TestPostgres.connect(database); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("LOCK TABLE blocker IN ACCESS EXCLUSIVE MODE");
            String id = submit(agent, "/execute", "{\"language\":\"sql\",\"code\":\"SELECT count(*) FROM blocker\"}")
                    .json().get("job_id").asText();
            awaitStatus(agent, id, "running");
            // A first connection that reads the events so far and drops.
            List<Event> before = streamUntil(agent, id, null, "started");
            holder.rollback();
            List<Event> after = stream(agent, id, String.valueOf(before.get(before.size() - 1).id()));
            List<Event> whole = stream(agent, id, null);
            List<Event> joined = new ArrayList<>(before);
            joined.addAll(after);
            assertThat(joined).isEqualTo(whole);
            assertThat(whole.get(whole.size() - 1).name()).isEqualTo("result");
        }
    }

    @Test
    void cancellingALongStatementStopsItInTheDatabaseWithinASecond() throws Exception {
        try (Connection holder = TestPostgres.connect(database); Statement st = holder.createStatement();
             Connection watcher = TestPostgres.connect(database)) {
            holder.setAutoCommit(false);
            st.execute("LOCK TABLE blocker IN ACCESS EXCLUSIVE MODE");
            String marker = "SELECT 42 AS cancel_me FROM blocker";
            String id = submit(agent, "/execute", "{\"language\":\"sql\",\"code\":\"" + marker + "\"}")
                    .json().get("job_id").asText();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (backends(watcher, marker) == 0) {
                assertThat(System.nanoTime()).as("the job's statement shows in pg_stat_activity").isLessThan(deadline);
                Thread.sleep(20);
            }
            long cancelled = System.nanoTime();
            AgentHarness.Reply reply = agent.delete("/jobs/" + id);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().get("status").asText()).isEqualTo("cancelled");
            while (backends(watcher, marker) > 0) {
                assertThat(System.nanoTime() - cancelled).as("statement gone within 1 s").isLessThan(1_000_000_000L);
                Thread.sleep(10);
            }
            assertThat(agent.get("/jobs/" + id).json().get("status").asText()).isEqualTo("cancelled");
            List<Event> events = stream(agent, id, null);
            assertThat(events.get(events.size() - 1).name()).isEqualTo("cancelled");
            holder.rollback();
        }
    }

    @Test
    void cancellingARunningProfileStopsItsScanInTheDatabase() throws Exception {
        try (Connection holder = TestPostgres.connect(database); Statement st = holder.createStatement();
             Connection watcher = TestPostgres.connect(database)) {
            holder.setAutoCommit(false);
            st.execute("LOCK TABLE blocker IN ACCESS EXCLUSIVE MODE");
            AgentHarness.Reply accepted = agent.send(request("/schema/blocker/profile").header("Prefer", "respond-async")
                    .GET().build());
            assertThat(accepted.status()).isEqualTo(202);
            String id = accepted.json().get("job_id").asText();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (waitingOnLocks(watcher) == 0) {
                assertThat(System.nanoTime()).as("the profile's scan waits for the lock").isLessThan(deadline);
                Thread.sleep(20);
            }
            assertThat(agent.delete("/jobs/" + id).json().get("status").asText()).isEqualTo("cancelled");
            long cancelled = System.nanoTime();
            while (waitingOnLocks(watcher) > 0) {
                assertThat(System.nanoTime() - cancelled).as("scan gone within 1 s").isLessThan(1_000_000_000L);
                Thread.sleep(10);
            }
            holder.rollback();
        }
    }

    @Test
    void codeTheSynchronousCallRefusesIsRefusedBeforeAJobIsQueued() {
        AgentHarness.Reply reply = submit(agent, "/execute", "{\"language\":\"sql\",\"code\":\"SELECT 1\\u0000\"}");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.errorType()).isEqualTo("VALIDATION_ERROR");
    }

    private static int waitingOnLocks(Connection watcher) throws Exception {
        try (Statement st = watcher.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                     + "AND state = 'active' AND wait_event_type = 'Lock' AND application_name = 'data-execution-agent'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aQueuedJobCancelledNeverStartsAndSubmissionsBeyondTheLimitsGet429WithoutLosingRecords() throws Exception {
        String limitedDb = database;
        try (AgentHarness limited = AgentHarness.start(TestPostgres.config(limitedDb),
                Map.of("JOBS_MAX_CONCURRENT", "1", "JOBS_QUEUE_SIZE", "2", "SQL_LOCK_TIMEOUT_SECONDS", "60"));
             Connection holder = TestPostgres.connect(database); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("LOCK TABLE blocker IN ACCESS EXCLUSIVE MODE");
            String body = "{\"language\":\"sql\",\"code\":\"SELECT count(*) FROM blocker\"}";
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<AgentHarness.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                replies.add(pool.submit((Callable<AgentHarness.Reply>) () -> submit(limited, "/execute", body)));
            }
            List<String> accepted = new ArrayList<>();
            int refused = 0;
            for (Future<AgentHarness.Reply> f : replies) {
                AgentHarness.Reply r = f.get();
                if (r.status() == 202) {
                    accepted.add(r.json().get("job_id").asText());
                } else {
                    assertThat(r.status()).isEqualTo(429);
                    assertThat(r.errorType()).isEqualTo("TOO_MANY_REQUESTS");
                    assertThat(r.header("Retry-After")).isNotBlank();
                    refused++;
                }
            }
            pool.shutdown();
            assertThat(accepted).hasSize(3);
            assertThat(refused).isEqualTo(9);
            // One runs, two wait: cancel a waiting one; it never starts.
            String queued = null;
            for (String id : accepted) {
                if (limited.get("/jobs/" + id).json().get("status").asText().equals("queued")) {
                    queued = id;
                }
            }
            assertThat(queued).isNotNull();
            JsonNode cancelled = limited.send(request(limited, "/jobs/" + queued + "/cancel")
                    .POST(HttpRequest.BodyPublishers.noBody()).build()).json();
            assertThat(cancelled.get("status").asText()).isEqualTo("cancelled");
            assertThat(cancelled.has("started_at")).isFalse();
            holder.rollback();
            for (String id : accepted) {
                JsonNode job = awaitEnd(limited, id);
                assertThat(job.get("status").asText()).isEqualTo(id.equals(queued) ? "cancelled" : "succeeded");
            }
            assertThat(stream(limited, queued, null)).extracting(Event::name).containsExactly("queued", "cancelled");
        }
    }

    @Test
    void aJobRunningWhenTheAgentStopsReadsInterruptedAfterARestart() throws Exception {
        Path cacheDir = Files.createTempDirectory("dea-jobs-restart-");
        Map<String, String> env = Map.of("CACHE_DIR", cacheDir.toString(), "SQL_LOCK_TIMEOUT_SECONDS", "60");
        String id;
        byte[] whileRunning;
        try (Connection holder = TestPostgres.connect(database); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("LOCK TABLE blocker IN ACCESS EXCLUSIVE MODE");
            AgentHarness first = AgentHarness.start(TestPostgres.config(database), env);
            try {
                id = submit(first, "/execute", "{\"language\":\"sql\",\"code\":\"SELECT count(*) FROM blocker\"}")
                        .json().get("job_id").asText();
                awaitStatus(first, id, "running");
                // The file as a SIGKILL would leave it: the job still running.
                whileRunning = Files.readAllBytes(cacheDir.resolve("jobs").resolve(id + ".json"));
                assertThat(new String(whileRunning, StandardCharsets.UTF_8)).contains("\"running\"");
            } finally {
                first.close();
            }
            holder.rollback();
        }
        // The graceful stop recorded it as interrupted already; the start-up must do the same for a killed agent.
        Path file = cacheDir.resolve("jobs").resolve(id + ".json");
        assertThat(Files.readString(file)).contains("\"interrupted\"");
        Files.write(file, whileRunning);
        try (AgentHarness second = AgentHarness.start(TestPostgres.config(database), env)) {
            JsonNode job = second.get("/jobs/" + id).json();
            assertThat(job.get("status").asText()).isEqualTo("interrupted");
            assertThat(job.has("finished_at")).isTrue();
            assertThat(job.path("error").path("type").asText()).isEqualTo("AGENT_STOPPED");
            List<Event> events = stream(second, id, null);
            assertThat(events).extracting(Event::name).containsExactly("queued", "started", "error");
        } finally {
            try (var files = Files.walk(cacheDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aLongResultStreamsRowProgressAndAnIdleStreamGetsHeartbeats() throws Exception {
        try (AgentHarness beating = AgentHarness.start(TestPostgres.config(database),
                Map.of("JOBS_HEARTBEAT_SECONDS", "1", "SQL_LOCK_TIMEOUT_SECONDS", "60", "SQL_MAX_ROWS", "3000000"))) {
            String big = submit(beating, "/execute", "{\"language\":\"sql\",\"code\":"
                    + "\"SELECT g, g * 2 AS twice FROM generate_series(1, 3000000) g\",\"preview_rows\":1}")
                    .json().get("job_id").asText();
            List<Event> events = stream(beating, big, null);
            assertThat(events.get(events.size() - 1).name()).isEqualTo("result");
            List<Long> rows = new ArrayList<>();
            for (Event e : events) {
                if (e.name().equals("progress")) {
                    rows.add(JSON.readTree(e.data()).get("rows").asLong());
                }
            }
            assertThat(rows).as("progress events while 3 million rows are fetched").isNotEmpty().isSorted();
            assertThat(rows.get(rows.size() - 1)).isLessThanOrEqualTo(3_000_000L);

            try (Connection holder = TestPostgres.connect(database); Statement st = holder.createStatement()) {
                holder.setAutoCommit(false);
                st.execute("LOCK TABLE blocker IN ACCESS EXCLUSIVE MODE");
                String idle = submit(beating, "/execute", "{\"language\":\"sql\",\"code\":\"SELECT count(*) FROM blocker\"}")
                        .json().get("job_id").asText();
                HttpResponse<InputStream> res = HttpClient.newHttpClient().send(request(beating, "/jobs/" + idle + "/events")
                        .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                long opened = System.nanoTime();
                try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                    String line;
                    while (!(line = in.readLine()).equals(": heartbeat")) {
                        assertThat(line).doesNotStartWith("event: result");
                    }
                }
                assertThat(System.nanoTime() - opened).as("a heartbeat within 3 s").isLessThan(3_000_000_000L);
                holder.rollback();
                assertThat(awaitEnd(beating, idle).get("status").asText()).isEqualTo("succeeded");
            }
        }
    }

    private static int backends(Connection watcher, String query) throws Exception {
        try (Statement st = watcher.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query = '"
                     + query.replace("'", "''") + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    record Event(long id, String name, String data) {
    }

    static List<Event> stream(AgentHarness agent, String id, String lastEventId) throws Exception {
        return streamUntil(agent, id, lastEventId, null);
    }

    /** Reads the event stream line by line, as it arrives; with {@code stopAfter}, drops the connection after that event. */
    private static List<Event> streamUntil(AgentHarness agent, String id, String lastEventId, String stopAfter) throws Exception {
        HttpRequest.Builder b = request(agent, "/jobs/" + id + "/events").header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(30)).GET();
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> res = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<Event> events = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            long eventId = -1;
            String name = null;
            String data = null;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("id: ")) {
                    eventId = Long.parseLong(line.substring(4));
                } else if (line.startsWith("event: ")) {
                    name = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                } else if (line.isEmpty() && name != null) {
                    events.add(new Event(eventId, name, data));
                    if (name.equals(stopAfter)) {
                        break;
                    }
                    name = null;
                }
            }
        }
        return events;
    }

    static AgentHarness.Reply submit(AgentHarness agent, String path, String body) {
        return agent.send(request(agent, path).header("Prefer", "respond-async").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static HttpRequest.Builder request(String path) {
        return request(agent, path);
    }

    private static HttpRequest.Builder request(AgentHarness agent, String path) {
        return HttpRequest.newBuilder(agent.uri(path)).header("Authorization", "Bearer " + AgentHarness.TOKEN);
    }

    static JsonNode awaitEnd(AgentHarness agent, String id) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            JsonNode job = agent.get("/jobs/" + id).json();
            String status = job.get("status").asText();
            if (!status.equals("queued") && !status.equals("running")) {
                return job;
            }
            assertThat(System.nanoTime()).as("job " + id + " ends").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    static void awaitStatus(AgentHarness agent, String id, String wanted) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!agent.get("/jobs/" + id).json().get("status").asText().equals(wanted)) {
            assertThat(System.nanoTime()).as("job " + id + " becomes " + wanted).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
