package dev.dea.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The {@code dea.http.requests} timer. Every tag comes from a closed set, so a scanner
 * probing random paths or verbs cannot blow up the number of series: the route is the
 * matched template ({@code /schema/{table}/profile}), never the raw path.
 */
public final class HttpMetrics {
    /** The route of a request no endpoint handled: unknown path, wrong method, or refused before routing (401, 429). */
    public static final String UNMATCHED = "unmatched";
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
            "TRACE", "CONNECT", "QUERY");
    // Histogram buckets (le) for latency quantiles in Prometheus, from a cached lookup to a long Python run.
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(100)};

    private final MeterRegistry registry;

    HttpMetrics(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
    }

    public void record(String method, Optional<String> route, int status, Duration elapsed) {
        Timer.builder("dea.http.requests").description("HTTP requests by method, route template and status")
                .tag("method", method(method)).tag("route", route(route)).tag("status", status(status))
                .serviceLevelObjectives(BUCKETS).register(registry).record(elapsed);
    }

    static String method(String method) {
        return METHODS.contains(method) ? method : "other";
    }

    static String route(Optional<String> route) {
        return route.filter(r -> !r.isBlank()).orElse(UNMATCHED);
    }

    static String status(int status) {
        return status >= 100 && status <= 599 ? Integer.toString(status) : "other";
    }
}
