package dev.dea.lifecycle;

import dev.dea.artifact.ArtifactStore;
import dev.dea.audit.AuditLog;
import dev.dea.cache.FrameCache;
import dev.dea.config.AgentConfig;
import dev.dea.datasource.Datasources;
import dev.dea.db.Database;
import dev.dea.execute.ExecutionService;
import dev.dea.execute.InlineFrames;
import dev.dea.upload.Uploads;
import dev.dea.execute.SqlRunner;
import dev.dea.history.ExecutionHistory;
import dev.dea.identity.AgentIdentity;
import dev.dea.jobs.JobService;
import dev.dea.metrics.AgentMetrics;
import dev.dea.sandbox.SandboxService;
import dev.dea.profile.ProfileService;
import dev.dea.schema.SchemaService;


import static java.util.Objects.requireNonNull;

/**
 * Every long-lived service of one agent, built leaf-first by {@code Main.buildServices},
 * which records each in the {@link Lifecycle} that closes them in reverse order. {@code database},
 * {@code schema}, {@code profiles} and {@code sqlRunner} are the default datasource's. The HTTP layer and the tests receive this record.
 */
public record Services(
        AgentConfig config,
        Datasources datasources,
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
        Lifecycle lifecycle,
        AgentMetrics metrics,
        ExecutionHistory history,
        ArtifactStore artifacts,
        Uploads uploads) implements AutoCloseable {

    public static final String VERSION = AgentIdentity.VERSION;

    public Services {
        requireNonNull(config, "config");
        requireNonNull(datasources, "datasources");
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
        requireNonNull(lifecycle, "lifecycle");
        requireNonNull(metrics, "metrics");
        requireNonNull(history, "history");
        requireNonNull(artifacts, "artifacts");
        requireNonNull(uploads, "uploads");
    }

    /** Closes every service in the reverse of the order {@code Main.buildServices} started them; idempotent. */
    @Override
    public void close() {
        lifecycle.close();
    }
}
