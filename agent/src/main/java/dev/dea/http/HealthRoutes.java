package dev.dea.http;

import dev.dea.health.HealthReport;
import dev.dea.openapi.ApiContent;
import dev.dea.openapi.ApiOperation;
import dev.dea.openapi.ApiTag;
import dev.dea.openapi.SchemaRef;
import io.javalin.http.Context;

import java.util.function.Supplier;

/** {@code GET /health}: unauthenticated liveness for load balancers and the platform. */
final class HealthRoutes {
    private static final ApiTag HEALTH = new ApiTag("health", 
            "Liveness for load balancers and the platform; needs no token.");
    /** Written by hand: {@link HealthReport} builds a map that the platform heartbeats share. */
    private static final SchemaRef HEALTH_BODY = SchemaRef.written("Health", """
            {"type": "object", "required": ["status", "db_dialect", "version", "agent_id", "database", "cache", "sandbox"],
             "properties": {
               "status": {"type": "string", "enum": ["ok", "unavailable"], "description": "ok when the database answers"},
               "db_dialect": {"type": "string", "examples": ["postgresql"]},
               "version": {"type": "string", "description": "the agent's version (its jar's Implementation-Version)", "examples": ["0.1.0"]},
               "agent_id": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$",
                 "description": "which agent answered: AGENT_ID, or dea-<host>-<8 hex> derived from the host name and CACHE_DIR"},
               "database": {"type": "object", "required": ["status"], "properties": {
                 "status": {"type": "string", "enum": ["up", "down"]},
                 "server_version": {"type": "string"},
                 "reason": {"type": "string", "description": "why it is down"},
                 "privileged_login": {"type": "array", "items": {"type": "string"},
                   "description": "the login's privileges (superuser, bypassrls, member of pg_...), present only when DB_ALLOW_PRIVILEGED_LOGIN=true accepted them"}}},
               "datasources": {"type": "array", "items": %s,
                 "description": "every datasource (GET /datasources), as its background probe last found it; database is the default one's"},
               "cache": {"type": "object", "required": ["frames", "bytes", "max_bytes"], "properties": {
                 "frames": {"type": "integer"}, "bytes": {"type": "integer"}, "max_bytes": {"type": "integer"}}},
               "sandbox": {"type": "object", "required": ["status", "runtime", "running", "queued", "pooled", "packages"], "properties": {
                 "status": {"type": "string", "enum": ["up", "unavailable"], "description": "reported, not required: SQL works without it"},
                 "reason": {"type": "string"},
                 "runtime": {"type": "string"},
                 "running": {"type": "integer"}, "queued": {"type": "integer"}, "pooled": {"type": "integer"},
                 "packages": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "the versions of Python and of the modules the sandbox image provides, by import name (what the code may import); empty when the image is missing or does not declare them",
                   "examples": [{"python": "3.13.5", "numpy": "2.2.4", "pandas": "2.2.3", "sklearn": "1.4.2"}]}}}}}
            """.formatted(DatasourceRoutes.DATASOURCE_JSON));

    /** What ClientLimits never counts or refuses (the router ignores trailing slashes). */
    static final java.util.Set<String> PATHS = java.util.Set.of("/health", "/health/");

    private final Supplier<HealthReport.Report> report;

    /** {@code report} probes the database and reads the sandbox's state; it must answer fast under load. */
    HealthRoutes(Supplier<HealthReport.Report> report) {
        this.report = report;
    }

    void register(ApiRoutes api) {
        api.add(ApiOperation.get("/health").tag(HEALTH).publicAccess()
                .summary("Liveness, database and sandbox state")
                .description("Needs no token. The database decides the status; the sandbox is only reported.")
                .ok("The database answers", HEALTH_BODY)
                .response(503, "The database is unreachable; `database.reason` says why",
                        ApiContent.json(HEALTH_BODY))
                .build(), this::health);
    }

    void health(Context ctx) {
        HealthReport.Report current = report.get();
        ctx.status(current.healthy() ? 200 : 503).json(current.body());
    }
}
