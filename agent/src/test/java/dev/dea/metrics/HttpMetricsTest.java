package dev.dea.metrics;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class HttpMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpMetrics http = new HttpMetrics(registry);

    @Test
    void tagsTheRouteTemplateMethodAndStatus() {
        http.record("GET", Optional.of("/schema/{table}/profile"), 200, Duration.ofMillis(12));
        http.record("GET", Optional.of("/schema/{table}/profile"), 200, Duration.ofMillis(30));
        http.record("GET", Optional.of("/schema/{table}/profile"), 404, Duration.ofMillis(3));

        Timer ok = registry.find("dea.http.requests").tags("method", "GET", "route", "/schema/{table}/profile", "status", "200").timer();
        assertThat(ok).isNotNull();
        assertThat(ok.count()).isEqualTo(2);
        assertThat(ok.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(42);
        assertThat(registry.find("dea.http.requests").timers()).hasSize(2);
    }

    @Test
    void boundsEveryTagToAClosedSet() {
        assertThat(HttpMetrics.route(Optional.empty())).isEqualTo("unmatched");
        assertThat(HttpMetrics.route(Optional.of(""))).isEqualTo("unmatched");
        assertThat(HttpMetrics.method("POST")).isEqualTo("POST");
        assertThat(HttpMetrics.method("PROPFIND")).isEqualTo("other");
        assertThat(HttpMetrics.method("get")).isEqualTo("other");
        assertThat(HttpMetrics.status(503)).isEqualTo("503");
        assertThat(HttpMetrics.status(0)).isEqualTo("other");
        assertThat(HttpMetrics.status(1234)).isEqualTo("other");
    }

    @Test
    void aScannerProbingRandomPathsAndVerbsAddsOneSeries() {
        for (int i = 0; i < 200; i++) {
            http.record(i % 2 == 0 ? "GET" : "X-VERB-" + i, Optional.empty(), 404, Duration.ofMillis(1));
        }
        assertThat(registry.find("dea.http.requests").timers()).hasSize(2); // GET and "other", both route=unmatched
    }
}
