package dev.dea.http;

import dev.dea.Services;
import dev.dea.db.DbHealth;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /health}: unauthenticated liveness for load balancers and the platform. */
final class HealthRoutes {
    private final Services services;

    HealthRoutes(Services services) {
        this.services = services;
    }

    void health(Context ctx) {
        DbHealth db = services.database().health();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", db.reachable() ? "ok" : "unavailable");
        body.put("db_dialect", services.database().config().dialect());
        body.put("version", Services.VERSION);
        Map<String, Object> database = new LinkedHashMap<>();
        database.put("status", db.reachable() ? "up" : "down");
        db.serverVersion().ifPresent(v -> database.put("server_version", v));
        db.reason().ifPresent(r -> database.put("reason", r));
        body.put("database", database);
        var cache = services.cache().stats();
        body.put("cache", Map.of("frames", cache.frames(), "bytes", cache.bytes(), "max_bytes", cache.maxBytes()));
        // The sandbox is reported, not required: SQL keeps working without Docker.
        var sandbox = services.sandbox().status();
        Map<String, Object> sb = new LinkedHashMap<>();
        sb.put("status", sandbox.engineReachable() && sandbox.imagePresent() ? "up" : "unavailable");
        sandbox.reason().ifPresent(r -> sb.put("reason", r));
        sb.put("runtime", sandbox.runtime());
        sb.put("running", sandbox.running());
        sb.put("queued", sandbox.queued());
        sb.put("pooled", sandbox.pooled());
        body.put("sandbox", sb);
        ctx.status(db.reachable() ? 200 : 503).json(body);
    }
}
