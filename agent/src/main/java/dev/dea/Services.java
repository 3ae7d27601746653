package dev.dea;

import dev.dea.audit.AuditLog;
import dev.dea.cache.FrameCache;
import dev.dea.config.AgentConfig;
import dev.dea.db.Database;
import dev.dea.execute.ExecutionService;
import dev.dea.execute.InlineFrames;
import dev.dea.execute.SqlRunner;
import dev.dea.jobs.JobService;
import dev.dea.metrics.AgentMetrics;
import dev.dea.sandbox.SandboxService;
import dev.dea.profile.ProfileService;
import dev.dea.schema.SchemaService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

import static java.util.Objects.requireNonNull;

/**
 * Every long-lived service of one agent, built leaf-first by {@link Main#buildServices}
 * and closed in reverse order. The HTTP layer and the tests receive this record.
 */
public record Services(
        AgentConfig config,
        Database database,
        FrameCache cache,
        SchemaService schema,
        ProfileService profiles,
        SqlRunner sqlRunner,
        SandboxService sandbox,
        InlineFrames inlineFrames,
        AuditLog audit,
        ExecutionService execution,
        JobService jobs,
        AtomicBoolean closed,
        AgentMetrics metrics) implements AutoCloseable {

    public static final String VERSION = Services.class.getPackage().getImplementationVersion() != null
            ? Services.class.getPackage().getImplementationVersion() : "dev";
    private static final Logger log = LoggerFactory.getLogger(Services.class);

    public Services {
        requireNonNull(config, "config");
        requireNonNull(database, "database");
        requireNonNull(cache, "cache");
        requireNonNull(schema, "schema");
        requireNonNull(profiles, "profiles");
        requireNonNull(sqlRunner, "sqlRunner");
        requireNonNull(sandbox, "sandbox");
        requireNonNull(inlineFrames, "inlineFrames");
        requireNonNull(audit, "audit");
        requireNonNull(execution, "execution");
        requireNonNull(jobs, "jobs");
        requireNonNull(closed, "closed");
        requireNonNull(metrics, "metrics");
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Jobs first: those still running are recorded as interrupted before what they use goes away.
        closeQuietly("jobs", jobs);
        // Reverse of construction: sandboxes first (their containers are removed), then the cache, then the pool.
        closeQuietly("sandbox", sandbox);
        closeQuietly("audit log", audit);
        closeQuietly("frame cache", cache);
        closeQuietly("database", database);
        // Last: it was built first, and the pool's meters go with the pool.
        closeQuietly("metrics", metrics);
    }

    private static void closeQuietly(String what, AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            log.warn("Closing the {} failed: {}", what, e.getMessage());
        }
    }
}
