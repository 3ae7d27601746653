package dev.dea.datasource;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.config.DbConfig;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.DatasourcesFiles;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sandboxed Python reaches every datasource: sql(q, datasource=NAME) and pd.read_sql(q, conns[NAME]).
 * Needs a sandbox image built from this checkout's runner (sandbox-image/build-offline.sh).
 */
class DatasourcePythonIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String salesDb;
    private static String hrDb;
    private static AgentHarness agent;

    @BeforeAll
    static void start() throws Exception {
        salesDb = TestPostgres.freshDatabase("dea_it_dspy_sales");
        hrDb = TestPostgres.freshDatabase("dea_it_dspy_hr");
        try (Connection c = TestPostgres.connect(salesDb); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id int); INSERT INTO orders VALUES (1), (2)");
        }
        try (Connection c = TestPostgres.connect(hrDb); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE staff (id int); INSERT INTO staff VALUES (1), (2), (3)");
        }
        Map<String, DbConfig> datasources = new LinkedHashMap<>();
        datasources.put("sales", TestPostgres.config(salesDb));
        datasources.put("hr", TestPostgres.config(hrDb));
        DatasourcesFiles file = DatasourcesFiles.write(datasources);
        Map<String, String> env = new LinkedHashMap<>(file.env());
        env.put("SANDBOX_TIMEOUT_SECONDS", "60");
        agent = AgentHarness.startWithDatasources(file.file(), env);
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        TestPostgres.drop(salesDb);
        TestPostgres.drop(hrDb);
    }

    @Test
    void pythonReadsEachDatasourceByNameAndTheDefaultWithoutOne() throws Exception {
        String code = """
                staff = sql("SELECT count(*) AS n FROM staff", datasource="hr")
                orders = sql("SELECT count(*) AS n FROM orders")
                via_conns = pd.read_sql("SELECT count(*) AS n FROM staff", conns["hr"])
                result_df = pd.DataFrame({"staff": staff["n"], "orders": orders["n"], "via_conns": via_conns["n"]})
                """;
        var r = agent.post("/execute", JSON.writeValueAsString(Map.of("language", "python", "code", code)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("data").path("rows").get(0).toString()).isEqualTo("[3,2,3]");
    }

    @Test
    void anUnknownDatasourceFromPythonIsAnAgentSqlErrorListingTheNames() throws Exception {
        String code = """
                try:
                    sql("SELECT 1", datasource="nope")
                except AgentSqlError as e:
                    print(e.error_type, e.message)
                """;
        var r = agent.post("/execute", JSON.writeValueAsString(Map.of("language", "python", "code", code)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().path("stdout").asText()).contains("NOT_FOUND").contains("sales, hr");
    }
}
