package dev.dea.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.testing.AgentHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The quick start's embedded database: it starts, holds the generated dataset, and is read through the read-only role. */
class DemoDatabaseIT {
    private static DemoDatabase demo;
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        demo = DemoDatabase.start();
        agent = AgentHarness.start(demo.dbConfig(), Map.of("DB_READONLY_ROLE", DemoDatabase.READER));
    }

    @AfterAll
    static void stop() {
        agent.close();
        demo.close();
    }

    @Test
    void servesTheGeneratedShopDataset() {
        Set<String> tables = new HashSet<>();
        for (JsonNode t : agent.get("/schema").json().path("schema").path("tables")) {
            tables.add(t.path("name").asText());
        }
        assertThat(tables).containsExactlyInAnyOrder("customers", "products", "orders", "order_items", "monthly_revenue");
    }

    @Test
    void answersTheBannersExampleQuery() {
        var r = agent.sql("SELECT status, count(*) AS n, sum(shipping_cost) AS shipping FROM orders GROUP BY status ORDER BY n DESC");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("metadata").path("row_count").asLong()).isEqualTo(5);
        long total = 0;
        for (JsonNode row : r.json().path("data").path("rows")) {
            total += row.get(1).asLong();
        }
        assertThat(total).isEqualTo(20_000);
    }

    @Test
    void spreadsCustomersOverEverySegment() {
        var r = agent.sql("SELECT count(DISTINCT segment) AS segments, count(DISTINCT country) AS countries FROM customers");
        assertThat(r.json().path("data").path("rows").get(0).get(0).asInt()).isEqualTo(3);
        assertThat(r.json().path("data").path("rows").get(0).get(1).asInt()).isEqualTo(8);
    }

    @Test
    void runsEveryStatementAsTheReadOnlyRole() {
        var r = agent.sql("SELECT current_user AS who");
        assertThat(r.json().path("data").path("rows").get(0).get(0).asText()).isEqualTo(DemoDatabase.READER);
        assertThat(agent.get("/schema/customers/profile").status()).isEqualTo(200);
    }
}
