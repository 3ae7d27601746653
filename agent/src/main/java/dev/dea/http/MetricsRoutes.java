package dev.dea.http;

import dev.dea.metrics.AgentMetrics;
import io.javalin.http.Context;

/** {@code GET /metrics}: every meter in the Prometheus text format. */
final class MetricsRoutes {
    private final AgentMetrics metrics;

    MetricsRoutes(AgentMetrics metrics) {
        this.metrics = metrics;
    }

    void metrics(Context ctx) {
        ctx.contentType(AgentMetrics.CONTENT_TYPE).result(metrics.scrape());
    }
}
