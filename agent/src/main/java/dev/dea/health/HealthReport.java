package dev.dea.health;

import dev.dea.cache.FrameCache;
import dev.dea.config.AgentConfig;
import dev.dea.datasource.Datasources;
import dev.dea.identity.AgentIdentity;
import dev.dea.sandbox.SandboxService;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's state as a JSON-ready map: served by {@code GET /health} and sent with each
 * platform heartbeat, so both say the same thing. The database decides {@code status};
 * the sandbox is reported, not required (SQL keeps working without Docker). {@code database} is
 * the default datasource's, probed now; {@code datasources} lists each one.
 */
public final class HealthReport {
    private HealthReport() {
    }

    public record Report(boolean healthy, Map<String, Object> body) {
    }

    public static Report of(AgentConfig config, Datasources datasources, FrameCache cache, SandboxService sandboxes) {
        // The default datasource decides the status, as the one database did before datasources.
        var defaultDatabase = datasources.defaultDatasource().database();
        var db = defaultDatabase.health();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", db.reachable() ? "ok" : "unavailable");
        body.put("db_dialect", defaultDatabase.config().dialect());
        // Which agent answered: two on one machine, or the doctor looking at a busy port, tell them apart by these.
        AgentIdentity identity = AgentIdentity.of(config);
        body.put("version", identity.version());
        body.put("agent_id", identity.id());
        Map<String, Object> database = new LinkedHashMap<>();
        database.put("status", db.reachable() ? "up" : "down");
        db.serverVersion().ifPresent(v -> database.put("server_version", v));
        db.reason().ifPresent(r -> database.put("reason", r));
        if (!db.privilegedLogin().isEmpty()) {
            // Accepted only because DB_ALLOW_PRIVILEGED_LOGIN=true: shown, so that it is not forgotten.
            database.put("privileged_login", db.privilegedLogin());
        }
        body.put("database", database);
        // Every datasource as its background probe last found it: one that hangs does not slow /health.
        body.put("datasources", datasources.statuses());
        var cacheStats = cache.stats();
        body.put("cache", Map.of("frames", cacheStats.frames(), "bytes", cacheStats.bytes(), "max_bytes", cacheStats.maxBytes()));
        var sandbox = sandboxes.status();
        Map<String, Object> sb = new LinkedHashMap<>();
        sb.put("status", sandbox.engineReachable() && sandbox.imagePresent() ? "up" : "unavailable");
        sandbox.reason().ifPresent(r -> sb.put("reason", r));
        sb.put("runtime", sandbox.runtime());
        sb.put("running", sandbox.running());
        sb.put("queued", sandbox.queued());
        sb.put("pooled", sandbox.pooled());
        // Read from the image's label by the probe (at most a second old), so a rebuilt image shows at once.
        sb.put("packages", sandbox.packages());
        body.put("sandbox", sb);
        return new Report(db.reachable(), body);
    }

    /**
     * What the platform may rely on, sent at registration; {@code endpoints}: what the HTTP API
     * really routes ({@code HttpApi.endpoints}). {@code sql} holds the agent-wide SQL limits, each
     * datasource its own.
     */
    public static Map<String, Object> capabilities(AgentConfig config, Datasources datasources, SandboxService sandboxes,
                                                   List<String> endpoints) {
        Map<String, Object> sql = new LinkedHashMap<>();
        sql.put("timeout_seconds", config.sql().statementTimeout().toSeconds());
        sql.put("max_rows", config.sql().maxRows());
        sql.put("max_preview_rows", config.sql().maxPreviewRows());
        Map<String, Object> python = new LinkedHashMap<>();
        python.put("timeout_seconds", config.sandbox().timeout().toSeconds());
        python.put("memory_mb", config.sandbox().memoryMb());
        python.put("cpus", config.sandbox().cpus());
        python.put("max_concurrent", config.sandbox().maxConcurrent());
        python.put("pool_size", config.sandbox().poolSize());
        var sandbox = sandboxes.status();
        python.put("runtime", sandbox.runtime());
        // So the platform can tell its LLM which APIs exist; heartbeats carry the current list in health.sandbox.
        python.put("packages", sandbox.packages());
        Map<String, Object> caps = new LinkedHashMap<>();
        caps.put("endpoints", endpoints);
        caps.put("languages", List.of("sql", "python"));
        // Names the platform may pass as `datasource`; their state travels with each heartbeat (health.datasources).
        caps.put("datasources", datasources.all().stream().map(d -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", d.name());
            one.put("dialect", d.config().db().dialect().id());
            one.put("default", d.isDefault());
            // A datasource's own limits (its DATASOURCES_FILE entry's sql section), which caps.sql cannot show.
            one.put("sql", Map.of("timeout_seconds", d.config().sql().statementTimeout().toSeconds(),
                    "max_rows", d.config().sql().maxRows()));
            return one;
        }).toList());
        caps.put("sql", sql);
        caps.put("python", python);
        caps.put("max_request_bytes", config.maxRequestBytes());
        return caps;
    }
}
