package dev.dea.http;

import dev.dea.HealthReport;
import dev.dea.Services;
import io.javalin.http.Context;

/** {@code GET /health}: unauthenticated liveness for load balancers and the platform. */
final class HealthRoutes {
    private final Services services;

    HealthRoutes(Services services) {
        this.services = services;
    }

    void health(Context ctx) {
        HealthReport.Report report = HealthReport.of(services);
        ctx.status(report.healthy() ? 200 : 503).json(report.body());
    }
}
