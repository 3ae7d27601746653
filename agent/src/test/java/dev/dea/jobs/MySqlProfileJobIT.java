package dev.dea.jobs;

import dev.dea.testing.AgentHarness;
import dev.dea.testing.AgentOnDatabase;
import dev.dea.testing.TestMariaDb;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A MariaDB profile as a job through the real agent: its passes run as two statements on two
 * connections, and cancelling the job stops both in the server.
 */
class MySqlProfileJobIT {
    @RegisterExtension
    static final AgentOnDatabase fixture = AgentOnDatabase.freshMariaDb("mysqldb_it_profile_job",
            "CREATE TABLE wide (id INT PRIMARY KEY, qty INT, price DECIMAL(10,2), name VARCHAR(40), day DATE)",
            "INSERT INTO wide SELECT seq, seq % 1000, (seq % 10000) / 100, CONCAT('customer-', seq), "
                    + "DATE_ADD('2020-01-01', INTERVAL seq % 1500 DAY) FROM seq_1_to_30000",
            "ANALYZE TABLE wide");
    private static AgentHarness agent;
    private static String table;

    @BeforeAll
    static void start() {
        agent = fixture.agent();
        table = fixture.database() + ".wide";
    }

    /** The agent's first-pass statements that wait for the table's metadata lock now. */
    private static int waitingFirstPasses(Connection watcher) throws Exception {
        try (Statement st = watcher.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                     + "WHERE STATE = 'Waiting for table metadata lock' AND INFO LIKE 'SELECT COUNT(*)%'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void cancellingAProfileJobStopsBothOfItsStatementsInTheServer() throws Exception {
        // The schema is read (and cached) before the table is locked.
        assertThat(agent.get("/schema/" + table + "/profile").status()).isEqualTo(200);
        try (Connection holder = TestMariaDb.connect(fixture.database()); Statement st = holder.createStatement();
             Connection watcher = TestMariaDb.connect(fixture.database())) {
            st.execute("LOCK TABLES wide WRITE");
            AgentHarness.Reply accepted = agent.send(HttpRequest.newBuilder(agent.uri("/schema/" + table + "/profile"))
                    .header("Authorization", "Bearer " + AgentHarness.TOKEN).header("Prefer", "respond-async")
                    .GET().build());
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
            String id = accepted.json().get("job_id").asText();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (waitingFirstPasses(watcher) < 2) {
                assertThat(System.nanoTime()).as("both halves of the first pass wait for the lock").isLessThan(deadline);
                Thread.sleep(20);
            }

            assertThat(agent.delete("/jobs/" + id).json().get("status").asText()).isEqualTo("cancelled");
            long cancelled = System.nanoTime();
            while (waitingFirstPasses(watcher) > 0) {
                assertThat(System.nanoTime() - cancelled).as("both statements gone within 1 s").isLessThan(1_000_000_000L);
                Thread.sleep(10);
            }
            st.execute("UNLOCK TABLES");
        }
        AgentHarness.Reply again = agent.get("/schema/" + table + "/profile");
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("row_count").asLong()).isEqualTo(30_000);
    }
}
