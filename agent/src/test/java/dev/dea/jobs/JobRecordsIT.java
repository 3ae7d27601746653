package dev.dea.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.AgentOnDatabase;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Job records when the disk fails them: the job's true state stays readable, and the record is written later. */
class JobRecordsIT {
    @RegisterExtension
    static final AgentOnDatabase fixture = AgentOnDatabase.fresh("dea_it_job_records", "CREATE TABLE blocker (id int)")
            .env(Map.of("SQL_LOCK_TIMEOUT_SECONDS", "60"));
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        agent = fixture.agent();
    }

    @Test
    void aSubmissionWhoseRecordCannotBeWrittenIs503AndLeavesNoJob() throws Exception {
        Path jobs = agent.cacheDir().resolve("jobs");
        Path away = agent.cacheDir().resolve("jobs-away");
        String before = agent.get("/jobs?limit=500").json().get("jobs").toString();
        Files.move(jobs, away);
        Files.writeString(jobs, "not a directory");
        AgentHarness.Reply refused;
        try {
            refused = JobsIT.submit(agent, "/execute", "{\"language\":\"sql\",\"code\":\"SELECT 1 AS one\"}");
        } finally {
            Files.delete(jobs);
            Files.move(away, jobs);
        }
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.errorType()).isEqualTo("STORAGE_UNAVAILABLE");
        assertThat(refused.body()).contains("CACHE_DIR/jobs");
        assertThat(agent.get("/jobs?limit=500").json().get("jobs").toString()).isEqualTo(before);
        // The disk back, jobs are taken again.
        String id = JobsIT.submit(agent, "/execute", "{\"language\":\"sql\",\"code\":\"SELECT 1 AS one\"}")
                .json().get("job_id").asText();
        assertThat(JobsIT.awaitEnd(agent, id).get("status").asText()).isEqualTo("succeeded");
    }

    @Test
    void finishedJobsWaitingForTheirRecordsAreBoundedByRefusingSubmissions() throws Exception {
        try (AgentHarness one = AgentHarness.start(TestPostgres.config(fixture.database()),
                Map.of("JOBS_MAX_CONCURRENT", "1", "SQL_LOCK_TIMEOUT_SECONDS", "60"));
             Connection holder = TestPostgres.connect(fixture.database()); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("LOCK TABLE blocker IN ACCESS EXCLUSIVE MODE");
            String body = "{\"language\":\"sql\",\"code\":\"SELECT count(*) AS n FROM blocker\"}";
            String id = JobsIT.submit(one, "/execute", body).json().get("job_id").asText();
            Path record = one.cacheDir().resolve("jobs").resolve(id + ".json");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.readString(record).contains("\"running\"")) {
                assertThat(System.nanoTime()).as("the started record is written").isLessThan(deadline);
                Thread.sleep(20);
            }
            // Only this job's record is unwritable (a full disk can take a small queued record and not a result).
            Files.delete(record);
            Files.createDirectory(record);
            Files.writeString(record.resolve("in-the-way"), "x");
            holder.rollback();
            assertThat(JobsIT.awaitEnd(one, id).get("status").asText()).isEqualTo("succeeded");

            AgentHarness.Reply refused = JobsIT.submit(one, "/execute", body);
            assertThat(refused.status()).as("JOBS_MAX_CONCURRENT finished jobs wait in memory already").isEqualTo(503);
            assertThat(refused.errorType()).isEqualTo("STORAGE_UNAVAILABLE");
            assertThat(one.get("/jobs/" + id).json().get("status").asText()).isEqualTo("succeeded");
        }
    }

    @Test
    void aJobWhoseFinalRecordCannotBeWrittenStillReadsFinishedAndIsWrittenOnceTheDiskIsBack() throws Exception {
        Path jobs = agent.cacheDir().resolve("jobs");
        Path away = agent.cacheDir().resolve("jobs-away");
        try (Connection holder = TestPostgres.connect(fixture.database()); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("LOCK TABLE blocker IN ACCESS EXCLUSIVE MODE");
            String id = JobsIT.submit(agent, "/execute", "{\"language\":\"sql\",\"code\":\"SELECT count(*) AS n FROM blocker\"}")
                    .json().get("job_id").asText();
            JobsIT.awaitStatus(agent, id, "running");
            // The job directory is gone and a file stands in its place: every write of a record fails (even as root).
            Files.move(jobs, away);
            Files.writeString(jobs, "not a directory");
            try {
                holder.rollback();
                JsonNode done = JobsIT.awaitEnd(agent, id);
                assertThat(done.get("status").asText()).as("GET /jobs/{id} after a failed final write").isEqualTo("succeeded");
                assertThat(done.path("result").path("data").path("rows").toString()).isEqualTo("[[0]]");
                List<JobsIT.Event> events = JobsIT.stream(agent, id, null);
                assertThat(events.get(events.size() - 1).name()).isEqualTo("result");
                assertThat(agent.get("/jobs?status=succeeded").json().get("jobs").toString()).contains(id);
            } finally {
                Files.delete(jobs);
                Files.move(away, jobs);
            }
            // Retried every 30 s.
            Path record = jobs.resolve(id + ".json");
            long deadline = System.nanoTime() + 45_000_000_000L;
            while (!(Files.isRegularFile(record) && Files.readString(record).contains("\"succeeded\""))) {
                assertThat(System.nanoTime()).as("the final record reaches the disk").isLessThan(deadline);
                Thread.sleep(200);
            }
            try (var left = Files.list(jobs)) {
                assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
            }
        }
    }
}
