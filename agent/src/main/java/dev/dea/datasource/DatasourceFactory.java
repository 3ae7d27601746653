package dev.dea.datasource;

import dev.dea.cache.FrameCache;
import dev.dea.config.DatasourceConfig;
import dev.dea.config.SchemaConfig;
import dev.dea.config.SqlAdmission;
import dev.dea.db.Database;
import dev.dea.db.LoginSettings;
import dev.dea.execute.SqlRunner;
import dev.dea.frame.ColumnDecoder;
import dev.dea.frame.JdbcFrames;
import dev.dea.frame.mysql.MySqlColumns;
import dev.dea.metrics.ExecutionMetrics;
import dev.dea.profile.ProfileService;
import dev.dea.profile.TableProfiler;
import dev.dea.profile.mysql.MySqlTableProfiler;
import dev.dea.profile.postgresql.PostgresTableProfiler;
import dev.dea.schema.SchemaIntrospector;
import dev.dea.schema.SchemaService;
import dev.dea.schema.mysql.MySqlIntrospector;
import dev.dea.schema.postgresql.PostgresIntrospector;
import dev.dea.sql.CallCatalog;
import dev.dea.sql.SqlGuard;
import dev.dea.sql.StatementGuard;
import dev.dea.sql.mysql.MySqlGuard;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

import static java.util.Objects.requireNonNull;

/**
 * The one place that builds one datasource's services from its configuration: the pool, the
 * guard, schema, profiles and the SQL runner. What differs by dialect is chosen here.
 */
public final class DatasourceFactory {
    private final FrameCache cache;
    private final SchemaConfig schemaConfig;
    private final SqlAdmission admission;
    private final ExecutionMetrics metrics;
    private final MeterRegistry registry;
    private final BiConsumer<String, AutoCloseable> started;

    /**
     * {@code started} records each resource as it starts (the agent's Lifecycle), so that a datasource
     * that fails to build leaves the ones built before it to be closed with everything else.
     */
    public DatasourceFactory(FrameCache cache, SchemaConfig schemaConfig, SqlAdmission admission,
                             ExecutionMetrics metrics, MeterRegistry registry, BiConsumer<String, AutoCloseable> started) {
        this.cache = requireNonNull(cache, "cache");
        this.schemaConfig = requireNonNull(schemaConfig, "schemaConfig");
        this.admission = requireNonNull(admission, "admission");
        this.metrics = requireNonNull(metrics, "metrics");
        this.registry = requireNonNull(registry, "registry");
        this.started = requireNonNull(started, "started");
    }

    public Datasource build(DatasourceConfig config) {
        var db = config.db();
        // HikariCP tags its meters with the pool name only: the default datasource keeps "dea-db", the
        // name existing dashboards know, and each other one is "dea-db-<name>".
        Database database = new Database(db, config.sql(), Optional.of(registry),
                config.fromFile() ? LoginSettings.fileEntry(config.name()) : LoginSettings.ENV,
                config.isDefault() ? Database.DEFAULT_POOL_NAME : Database.DEFAULT_POOL_NAME + "-" + config.name());
        started.accept("database " + config.name(), database);
        // The one place the dialect picks the guard, the value decoder, the catalog reader and the profiler.
        StatementGuard guard = switch (db.dialect()) {
            // The guard's allow-list is read from the server's own catalog, once, when the first
            // statement arrives (the database may be down at start-up).
            case POSTGRESQL -> new SqlGuard(config.sql().extraDeniedFunctions(), config.sql().extraDeniedTables(),
                    config.sql().allowedFunctionSchemas(), List.of(db.searchPath().split(",")),
                    () -> database.readOnly(CallCatalog::load));
            case MYSQL -> new MySqlGuard(config.sql().extraDeniedFunctions(), config.sql().extraDeniedTables(),
                    config.sql().allowedFunctionSchemas());
        };
        ColumnDecoder decoder = switch (db.dialect()) {
            case POSTGRESQL -> JdbcFrames.POSTGRESQL;
            case MYSQL -> new MySqlColumns();
        };
        SchemaIntrospector introspector = switch (db.dialect()) {
            case POSTGRESQL -> new PostgresIntrospector();
            case MYSQL -> new MySqlIntrospector();
        };
        TableProfiler profiler = switch (db.dialect()) {
            case POSTGRESQL -> new PostgresTableProfiler(schemaConfig);
            case MYSQL -> new MySqlTableProfiler(schemaConfig);
        };
        SchemaService schema = new SchemaService(database, schemaConfig, Clock.systemUTC(), introspector);
        ProfileService profiles = new ProfileService(database, schema, schemaConfig, profiler);
        SqlRunner sqlRunner = new SqlRunner(config.name(), database, guard, decoder, cache,
                metrics.forDatasource(config.name()), admission);
        return new Datasource(config, database, guard, schema, profiles, sqlRunner, new CircuitBreaker(config.name()));
    }
}
