package dev.dea.datasource;

import dev.dea.config.DbConfig;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.DatasourcesFiles;
import dev.dea.testing.SocketProxy;
import dev.dea.testing.TestMariaDb;
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
 * PostgreSQL and MariaDB served side by side, the MariaDB one through a proxy the test takes
 * down: the PostgreSQL datasource keeps answering at its own speed, the MariaDB one fails fast
 * naming itself, and answers again once its server does, without a restart.
 */
class MixedDialectsOutageIT {
    private static String pgDb;
    private static String mariaDb;
    private static SocketProxy proxy;
    private static AgentHarness agent;

    @BeforeAll
    static void start() throws Exception {
        pgDb = TestPostgres.freshDatabase("dea_it_mixed_outage");
        try (Connection c = TestPostgres.connect(pgDb); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)");
        }
        mariaDb = TestMariaDb.freshDatabase("dea_it_mixed_outage");
        TestMariaDb.execute(mariaDb, "CREATE TABLE t (id INT)");
        TestMariaDb.execute(mariaDb, "INSERT INTO t VALUES (1), (2), (3)");
        DbConfig direct = TestMariaDb.config(mariaDb);
        proxy = SocketProxy.tcp(direct.port());
        Map<String, DbConfig> datasources = new LinkedHashMap<>();
        datasources.put("sales", TestPostgres.config(pgDb));
        datasources.put("shop", proxy.route(direct));
        DatasourcesFiles file = DatasourcesFiles.write(datasources);
        agent = AgentHarness.startWithDatasources(file.file(), file.env());
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        proxy.close();
        TestPostgres.drop(pgDb);
        TestMariaDb.drop(mariaDb);
    }

    @Test
    void theMariaDbDatasourceGoingDownNeverSlowsThePostgresOneAndComesBackByItself() throws Exception {
        assertThat(count("shop")).isEqualTo(3);

        proxy.down();
        agent.awaitDatasourceStatus("shop", "down", Duration.ofSeconds(15));
        for (int i = 0; i < 3; i++) {
            long started = System.nanoTime();
            var r = sqlOn("shop");
            long ms = (System.nanoTime() - started) / 1_000_000;
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.errorType()).isEqualTo("DB_UNAVAILABLE");
            assertThat(r.json().path("detail").path("message").asText()).contains("'shop'");
            assertThat(ms).as("known down: no wait for a connection (%d ms)", ms).isLessThan(200);
        }
        long started = System.nanoTime();
        assertThat(count("sales")).isEqualTo(2);
        assertThat(agent.get("/schema?datasource=sales").status()).isEqualTo(200);
        assertThat((System.nanoTime() - started) / 1_000_000).as("sales at its own speed").isLessThan(2_000);
        assertThat(status("sales")).isEqualTo("up");

        proxy.up();
        agent.awaitDatasourceStatus("shop", "up", Duration.ofSeconds(15));
        assertThat(count("shop")).isEqualTo(3);
    }

    private static AgentHarness.Reply sqlOn(String datasource) {
        return agent.post("/execute", "{\"language\":\"sql\",\"datasource\":\"" + datasource
                + "\",\"code\":\"SELECT count(*) AS n FROM t\"}");
    }

    private static long count(String datasource) {
        var r = sqlOn(datasource);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("data").path("rows").get(0).get(0).asLong();
    }

    private static String status(String name) {
        return agent.datasourceStatus(name);
    }
}
