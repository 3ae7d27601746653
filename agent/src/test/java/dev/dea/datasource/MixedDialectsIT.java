package dev.dea.datasource;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.config.DbConfig;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.DatasourcesFiles;
import dev.dea.testing.TestMariaDb;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** One agent over a PostgreSQL database ("sales", the default) and a MariaDB one ("shop"), each with its own dialect. */
class MixedDialectsIT {
    private static String pgDb;
    private static String mariaDb;
    private static AgentHarness agent;

    @BeforeAll
    static void start() throws Exception {
        pgDb = TestPostgres.freshDatabase("dea_it_ds_mixed");
        try (Connection c = TestPostgres.connect(pgDb); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id int); INSERT INTO orders VALUES (1), (2)");
        }
        mariaDb = TestMariaDb.freshDatabase("dea_it_ds_mixed");
        TestMariaDb.execute(mariaDb, "CREATE TABLE items (id INT PRIMARY KEY, label VARCHAR(20))");
        TestMariaDb.execute(mariaDb, "INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        Map<String, DbConfig> datasources = new LinkedHashMap<>();
        datasources.put("sales", TestPostgres.config(pgDb));
        datasources.put("shop", TestMariaDb.config(mariaDb));
        DatasourcesFiles file = DatasourcesFiles.write(datasources);
        agent = AgentHarness.startWithDatasources(file.file(), file.env());
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        TestPostgres.drop(pgDb);
        TestMariaDb.drop(mariaDb);
    }

    @Test
    void eachDatasourceIsListedWithItsOwnDialectAndServer() {
        JsonNode list = agent.get("/datasources").json().path("datasources");
        assertThat(list.get(0).path("dialect").asText()).isEqualTo("postgresql");
        assertThat(list.get(0).path("server").path("product").asText()).isEqualTo("PostgreSQL");
        assertThat(list.get(1).path("dialect").asText()).isEqualTo("mysql");
        assertThat(list.get(1).path("server").path("product").asText()).isIn("MariaDB", "MySQL");
        assertThat(list.get(1).path("status").asText()).isEqualTo("up");
    }

    @Test
    void eachDatasourceIsGuardedAndReadInItsOwnDialect() {
        var onShop = agent.post("/execute",
                "{\"language\":\"sql\",\"datasource\":\"shop\",\"code\":\"SELECT `label` FROM `items` ORDER BY `id`\"}");
        assertThat(onShop.status()).as(onShop.body()).isEqualTo(200);
        assertThat(onShop.json().path("data").path("rows").toString()).isEqualTo("[[\"a\"],[\"b\"],[\"c\"]]");
        var onSales = agent.post("/execute", "{\"language\":\"sql\",\"code\":\"SELECT count(*) FROM orders\"}");
        assertThat(onSales.status()).isEqualTo(200);
        // A PostgreSQL function is nothing the MySQL datasource runs: its own guard and server answer.
        var mysqlOnly = agent.post("/execute", "{\"language\":\"sql\",\"datasource\":\"shop\",\"code\":\"SELECT pg_sleep(1)\"}");
        assertThat(mysqlOnly.status()).isEqualTo(400);
    }

    @Test
    void eachDatasourcesSchemaAndProfilesComeFromItsOwnCatalogOverHttp() {
        var shop = agent.get("/schema?datasource=shop");
        assertThat(shop.status()).as(shop.body()).isEqualTo(200);
        assertThat(shop.body()).contains("items").contains("label").doesNotContain("\"orders\"");
        var sales = agent.get("/schema");
        assertThat(sales.body()).contains("orders").doesNotContain("\"items\"");

        var profile = agent.get("/schema/" + mariaDb + ".items/profile?datasource=shop");
        assertThat(profile.status()).as(profile.body()).isEqualTo(200);
        JsonNode p = profile.json();
        assertThat(p.path("row_count").asLong()).as(p.toString()).isEqualTo(3);
        JsonNode label = null;
        for (JsonNode c : p.path("columns")) {
            if (c.path("name").asText().equals("label")) {
                label = c;
            }
        }
        assertThat(label).as(p.toString()).isNotNull();
        assertThat(label.path("distinct_count").asLong()).isEqualTo(3);
        assertThat(label.path("null_count").asLong()).isZero();
        assertThat(agent.get("/schema/items/profile?datasource=shop").status()).as("unqualified: the connection's database")
                .isEqualTo(200);
        assertThat(agent.get("/schema/nothing_here/profile?datasource=shop").status()).isEqualTo(404);
    }
}
