package dev.dea.http;

import dev.dea.metrics.AgentMetrics;
import dev.dea.openapi.ApiContent;
import dev.dea.openapi.ApiOperation;
import dev.dea.openapi.ApiTag;
import dev.dea.openapi.SchemaRef;
import io.javalin.http.Context;

/** {@code GET /metrics}: every meter in the Prometheus text format. */
final class MetricsRoutes {
    private static final ApiTag METRICS = new ApiTag("metrics", "Prometheus metrics of the agent");

    private final AgentMetrics metrics;

    MetricsRoutes(AgentMetrics metrics) {
        this.metrics = metrics;
    }

    /** {@code publicAccess}: METRICS_PUBLIC, for scrapers that cannot send the token. */
    void register(ApiRoutes api, boolean publicAccess) {
        ApiOperation.Builder op = ApiOperation.get("/metrics").tag(METRICS)
                .summary("Prometheus metrics")
                .description("Requests by route and status, SQL executions and rejections by rule, sandbox executions "
                        + "by outcome, queue depth, warm pool, cache bytes/frames/evictions, HikariCP pool and JVM. "
                        + (publicAccess ? "Needs no token (METRICS_PUBLIC=true)." : "Needs the token unless METRICS_PUBLIC=true."))
                .response(200, "Prometheus text exposition format 0.0.4",
                        new ApiContent("text/plain", SchemaRef.inline("{\"type\": \"string\"}")));
        if (publicAccess) {
            op.publicAccess();
        }
        api.add(op.build(), this::metrics);
    }

    void metrics(Context ctx) {
        ctx.contentType(AgentMetrics.CONTENT_TYPE).result(metrics.scrape());
    }
}
