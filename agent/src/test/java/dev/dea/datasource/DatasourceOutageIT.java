package dev.dea.datasource;

import dev.dea.config.DbConfig;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.DatasourcesFiles;
import dev.dea.testing.SocketProxy;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two datasources, "main" (the default) and "flaky", which reaches the same server through a
 * proxy the test takes down: the other keeps answering, the down one fails fast, and it is used
 * again once it answers, without a restart.
 */
class DatasourceOutageIT {
    private static String database;
    private static SocketProxy proxy;
    private static AgentHarness agent;

    @BeforeAll
    static void start() throws Exception {
        database = TestPostgres.freshDatabase("dea_it_ds_outage");
        try (Connection c = TestPostgres.connect(database); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)");
        }
        DbConfig direct = TestPostgres.config(database);
        proxy = SocketProxy.tcp(direct.port());
        DbConfig viaProxy = proxy.route(direct);
        Map<String, DbConfig> datasources = new LinkedHashMap<>();
        datasources.put("main", direct);
        datasources.put("flaky", viaProxy);
        DatasourcesFiles file = DatasourcesFiles.write(datasources);
        agent = AgentHarness.startWithDatasources(file.file(), file.env());
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        proxy.close();
        TestPostgres.drop(database);
    }

    @Test
    void aDownDatasourceFailsFastNamingItselfWhileTheOtherAnswersAndComesBackWithoutARestart() throws Exception {
        assertThat(sqlOn("flaky").status()).isEqualTo(200);

        proxy.down();
        agent.awaitDatasourceStatus("flaky", "down", Duration.ofSeconds(15));
        assertThat(status("main")).isEqualTo("up");

        for (int i = 0; i < 3; i++) {
            long started = System.nanoTime();
            var r = sqlOn("flaky");
            long ms = (System.nanoTime() - started) / 1_000_000;
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.errorType()).isEqualTo("DB_UNAVAILABLE");
            assertThat(r.json().path("detail").path("message").asText()).contains("'flaky'");
            assertThat(ms).as("a request to a datasource known down must not wait for a connection (%d ms)", ms).isLessThan(200);
        }
        long started = System.nanoTime();
        var schema = agent.get("/schema?datasource=flaky");
        assertThat(schema.status()).isEqualTo(503);
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(200);

        long mainStarted = System.nanoTime();
        assertThat(sqlOn("main").status()).isEqualTo(200);
        assertThat(agent.get("/schema?datasource=main").status()).isEqualTo(200);
        assertThat((System.nanoTime() - mainStarted) / 1_000_000).isLessThan(2_000);
        assertThat(agent.getAnonymously("/health").status()).as("the default datasource decides").isEqualTo(200);

        proxy.up();
        agent.awaitDatasourceStatus("flaky", "up", Duration.ofSeconds(15));
        assertThat(sqlOn("flaky").status()).isEqualTo(200);
    }

    @Test
    void theAgentStartsWithADatasourceThatIsDownAndUsesItOnceItAnswers() throws Exception {
        DbConfig direct = TestPostgres.config(database);
        try (SocketProxy late = SocketProxy.tcp(direct.port())) {
            late.down();
            Map<String, DbConfig> datasources = new LinkedHashMap<>();
            datasources.put("main", direct);
            datasources.put("late", late.route(direct));
            DatasourcesFiles file = DatasourcesFiles.write(datasources);
            try (AgentHarness second = AgentHarness.startWithDatasources(file.file(), file.env())) {
                var down = second.post("/execute", "{\"language\":\"sql\",\"datasource\":\"late\",\"code\":\"SELECT 1\"}");
                assertThat(down.status()).isEqualTo(503);
                assertThat(down.json().path("detail").path("message").asText()).contains("'late'");
                assertThat(second.sql("SELECT count(*) FROM t").status()).isEqualTo(200);

                late.up();
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                int status;
                do {
                    Thread.sleep(200);
                    status = second.post("/execute", "{\"language\":\"sql\",\"datasource\":\"late\",\"code\":\"SELECT 1\"}").status();
                } while (status != 200 && System.nanoTime() < deadline);
                assertThat(status).isEqualTo(200);
            }
        }
    }

    private static AgentHarness.Reply sqlOn(String datasource) {
        return agent.post("/execute", "{\"language\":\"sql\",\"datasource\":\"" + datasource
                + "\",\"code\":\"SELECT count(*) FROM t\"}");
    }

    private static String status(String name) {
        return agent.datasourceStatus(name);
    }
}
