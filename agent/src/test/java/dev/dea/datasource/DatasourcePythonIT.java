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
    void everySqlCallFromPythonIsAnAuditLineNamingItsDatasourceAndTables() throws Exception {
        String code = "staff = sql('SELECT count(*) AS staff_count_for_audit FROM staff', datasource='hr')\n"
                + "result_df = staff";
        var r = agent.post("/execute", JSON.writeValueAsString(Map.of("language", "python", "code", code)));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String requestId = r.header("X-Request-Id");
        java.nio.file.Path auditLog = agent.services().config().audit().path();
        var lines = java.nio.file.Files.readAllLines(auditLog).stream()
                .filter(l -> l.contains("\"request_id\":\"" + requestId + "\"")).toList();
        assertThat(lines).as("the sql() call and the Python step, one line each").hasSize(2);
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"language\":\"sql\"")
                .contains("staff_count_for_audit").contains("\"datasource\":\"hr\"")
                .contains("\"tables_touched\":[\"staff\"]"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"language\":\"python\""));
        var history = agent.get("/executions?datasource=hr");
        assertThat(history.body()).contains("staff_count_for_audit");
        // A refused statement from Python is in the trail too.
        var refused = agent.post("/execute", JSON.writeValueAsString(Map.of("language", "python", "code",
                "try:\n    sql('DELETE FROM staff', datasource='hr')\nexcept AgentSqlError as e:\n    print(e.error_type)")));
        assertThat(refused.json().path("stdout").asText()).isEqualTo("SQL_REJECTED\n");
        String refusedId = refused.header("X-Request-Id");
        assertThat(java.nio.file.Files.readAllLines(auditLog)).anySatisfy(l -> assertThat(l)
                .contains("\"request_id\":\"" + refusedId + "\"").contains("\"outcome\":\"rejected\"")
                .contains("DELETE FROM staff"));
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
