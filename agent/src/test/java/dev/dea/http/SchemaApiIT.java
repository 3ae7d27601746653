package dev.dea.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The schema and profile routes over HTTP, in the seed's shape. */
class SchemaApiIT {
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        agent = AgentHarness.start(TestPostgres.fixture());
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    private static JsonNode table(JsonNode schema, String name) {
        for (JsonNode t : schema.path("schema").path("tables")) {
            if (t.path("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no table " + name);
    }

    @Test
    void servesTheSchemaInTheSeedShape() {
        var r = agent.get("/schema");
        assertThat(r.status()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.path("dialect").asText()).isEqualTo("postgresql");
        JsonNode film = table(body, "film");
        JsonNode filmId = film.path("columns").get(0);
        assertThat(filmId.path("name").asText()).isEqualTo("film_id");
        assertThat(filmId.path("type").asText()).isEqualTo("integer");
        assertThat(filmId.path("is_primary_key").asBoolean()).isTrue();
        assertThat(table(body, "payment").path("kind").asText()).isEqualTo("partitioned_table");
    }

    @Test
    void refreshRebuildsTheSchema() {
        var r = agent.post("/schema/refresh", "");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("schema").path("tables").size()).isGreaterThan(20);
    }

    @Test
    void profilesATableByPlainOrQualifiedName() {
        var plain = agent.get("/schema/film/profile");
        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.json().path("row_count").asLong()).isEqualTo(1000);
        var qualified = agent.get("/schema/public.film/profile");
        assertThat(qualified.json().path("columns").size()).isEqualTo(plain.json().path("columns").size());
        JsonNode rating = null;
        for (JsonNode c : plain.json().path("columns")) {
            if (c.path("name").asText().equals("rating")) {
                rating = c;
            }
        }
        assertThat(rating).isNotNull();
        assertThat(rating.path("top_values").get(0).has("value")).isTrue();
        assertThat(rating.path("top_values").get(0).has("count")).isTrue();
    }

    @Test
    void unknownTablesAre404() {
        var r = agent.get("/schema/no_such_table/profile");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorType()).isEqualTo("NOT_FOUND");
        assertThat(r.json().path("detail").path("message").asText()).contains("no_such_table");
    }

    @Test
    void theDistributionParameterTakesAutoOrExactOnly() {
        assertThat(agent.get("/schema/film/profile?distribution=exact").status()).isEqualTo(200);
        assertThat(agent.get("/schema/film/profile?distribution=AUTO").status()).isEqualTo(200);
        var r = agent.get("/schema/film/profile?distribution=roughly");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorType()).isEqualTo("VALIDATION_ERROR");
        assertThat(r.json().path("detail").path("message").asText()).contains("'distribution'", "roughly");
    }
}
