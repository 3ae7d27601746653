package dev.dea.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.metrics.PrometheusText;
import dev.dea.metrics.PrometheusText.Sample;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /metrics} on a real agent after real traffic: what a Prometheus scraper would read. */
class MetricsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        agent = AgentHarness.start(TestPostgres.fixture());
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    private static AgentHarness.Reply withoutToken(AgentHarness target, String path) {
        return target.send(HttpRequest.newBuilder(target.uri(path)).GET().build());
    }

    private static double value(PrometheusText metrics, String name, Map<String, String> labels) {
        return metrics.find(name, labels).map(Sample::value)
                .orElseThrow(() -> new AssertionError("no " + name + labels + " in /metrics"));
    }

    @Test
    void countsRequestsByRouteTemplateSqlOutcomesRejectionRulesPoolAndCache() throws Exception {
        assertThat(agent.sql("SELECT actor_id, first_name FROM actor ORDER BY actor_id LIMIT 5").status()).isEqualTo(200);
        var rejected = agent.sql("DELETE FROM actor");
        assertThat(rejected.errorType()).isEqualTo("SQL_REJECTED");
        String rule = rejected.json().path("detail").path("rule").asText();
        assertThat(rule).isNotBlank();
        assertThat(agent.sql("SELECT no_such_column FROM actor").errorType()).isEqualTo("SQL_ERROR");
        assertThat(agent.get("/schema/actor/profile").status()).isEqualTo(200);
        var python = agent.post("/execute", JSON.writeValueAsString(Map.of("language", "python",
                "code", "result_df = sql('SELECT count(*) AS n FROM film')")));

        assertThat(withoutToken(agent, "/metrics").status()).isEqualTo(401);
        var reply = agent.get("/metrics");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        PrometheusText metrics = PrometheusText.parse(reply.body());

        assertThat(value(metrics, "dea_http_requests_seconds_count",
                Map.of("method", "POST", "route", "/execute", "status", "200"))).isGreaterThanOrEqualTo(1);
        assertThat(value(metrics, "dea_http_requests_seconds_count",
                Map.of("method", "GET", "route", "/schema/{table}/profile", "status", "200"))).isEqualTo(1);
        assertThat(value(metrics, "dea_http_requests_seconds_count",
                Map.of("method", "GET", "route", "unmatched", "status", "401"))).isGreaterThanOrEqualTo(1);
        // Never the raw path: the table name (or any other caller-chosen text) is no label value.
        assertThat(metrics.named("dea_http_requests_seconds_count"))
                .allSatisfy(s -> assertThat(s.label("route")).doesNotContain("actor"));

        assertThat(value(metrics, "dea_sql_rejections_total", Map.of("rule", rule))).isEqualTo(1);
        // The Python code's sql() call is a statement too.
        double sqlSuccesses = python.status() == 200 ? 2 : 1;
        assertThat(value(metrics, "dea_sql_executions_total", Map.of("outcome", "success"))).isEqualTo(sqlSuccesses);
        assertThat(value(metrics, "dea_sql_executions_total", Map.of("outcome", "rejected"))).isEqualTo(1);
        assertThat(value(metrics, "dea_sql_executions_total", Map.of("outcome", "sql_error"))).isEqualTo(1);
        String pythonOutcome = python.status() == 200 ? "success" : python.errorType().toLowerCase(Locale.ROOT);
        assertThat(value(metrics, "dea_sandbox_executions_total", Map.of("outcome", pythonOutcome))).isEqualTo(1);

        assertThat(value(metrics, "hikaricp_connections_max", Map.of("pool", "dea-db")))
                .isEqualTo(agent.services().database().config().poolSize());
        assertThat(metrics.find("hikaricp_connections", Map.of("pool", "dea-db"))).isPresent();
        assertThat(metrics.find("hikaricp_connections_active", Map.of("pool", "dea-db"))).isPresent();
        assertThat(value(metrics, "hikaricp_connections_timeout_total", Map.of("pool", "dea-db"))).isZero();

        assertThat(value(metrics, "dea_cache_frames", Map.of())).isGreaterThan(0);
        assertThat(value(metrics, "dea_cache_size_bytes", Map.of())).isGreaterThan(0);
        assertThat(value(metrics, "dea_cache_evictions_total", Map.of())).isZero();
        assertThat(value(metrics, "dea_sandbox_running", Map.of())).isZero();
        assertThat(value(metrics, "dea_sandbox_queue_depth", Map.of())).isZero();
        assertThat(value(metrics, "dea_sandbox_warm_pool_size", Map.of())).isZero();
        assertThat(metrics.named("jvm_memory_used_bytes")).isNotEmpty();
        assertThat(metrics.named("jvm_threads_live_threads")).isNotEmpty();
        assertThat(value(metrics, "process_uptime_seconds", Map.of())).isGreaterThan(0);
    }

    @Test
    void metricsArePublicOnlyWhenConfigured() {
        try (AgentHarness open = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()),
                Map.of("METRICS_PUBLIC", "true"))) {
            var metrics = withoutToken(open, "/metrics");
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.body()).contains("# TYPE dea_sql_executions_total counter");
            assertThat(withoutToken(open, "/schema").status()).as("everything else still needs the token").isEqualTo(401);
        }
    }
}
