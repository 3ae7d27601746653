package dev.dea.http;

import dev.dea.metrics.HttpMetrics;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * One access-log line and one {@code dea.http.requests} sample per request, from Javalin's
 * request logger (it runs once, after the response, whatever happened). The fields are
 * SLF4J key-value pairs, so the JSON log carries them as fields; headers, the query
 * string and bodies are never logged (they may hold tokens or data).
 */
final class AccessLog {
    private static final Logger log = LoggerFactory.getLogger("dev.dea.access");

    private final HttpMetrics metrics;

    AccessLog(HttpMetrics metrics) {
        this.metrics = metrics;
    }

    void record(Context ctx, Float millis) {
        String method = ctx.method().name();
        int status = ctx.statusCode();
        Optional<String> route = route(ctx);
        metrics.record(method, route, status, Duration.ofNanos((long) (millis * 1_000_000.0)));
        double durationMs = Math.round(millis * 100.0) / 100.0;
        String requestId = RequestIds.of(ctx);
        log.atInfo()
                .addKeyValue("request_id", requestId)
                .addKeyValue("method", method)
                .addKeyValue("route", route.orElse(HttpMetrics.UNMATCHED))
                .addKeyValue("path", ctx.path())
                .addKeyValue("status", status)
                .addKeyValue("duration_ms", durationMs)
                .addKeyValue("client", ctx.ip())
                .log("{} {} {} {}ms request={}", method, ctx.path(), status,
                        String.format(Locale.ROOT, "%.1f", millis), requestId);
    }

    /**
     * The template of the endpoint that handled the request. Javalin knows it only once the
     * endpoint ran: a request refused by the before-handler (401, 429) or routed nowhere has none.
     */
    private static Optional<String> route(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        return endpoint == null ? Optional.empty() : Optional.of(endpoint.path);
    }
}
