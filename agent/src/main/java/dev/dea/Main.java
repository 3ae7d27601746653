package dev.dea;

import dev.dea.audit.AuditConfig;
import dev.dea.audit.AuditLog;
import dev.dea.auth.SignCommand;
import dev.dea.cache.FrameCache;
import dev.dea.config.AgentConfig;
import dev.dea.config.ConfigException;
import dev.dea.config.ConfigLoader;
import dev.dea.db.Database;
import dev.dea.demo.DemoDatabase;
import dev.dea.doctor.Doctor;
import dev.dea.execute.ExecutionService;
import dev.dea.execute.InlineFrames;
import dev.dea.execute.SqlRunner;
import dev.dea.frame.FrameJson;
import dev.dea.jobs.JobService;
import dev.dea.metrics.AgentMetrics;
import dev.dea.sandbox.SandboxService;
import dev.dea.http.HttpApi;
import dev.dea.logging.Logging;
import dev.dea.platform.PlatformClient;
import dev.dea.platform.RegistrationSpec;
import dev.dea.profile.ProfileService;
import dev.dea.schema.SchemaService;
import dev.dea.sql.CallCatalog;
import dev.dea.sql.SqlGuard;
import dev.dea.tls.TlsMaterial;
import io.javalin.Javalin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TimeZone;
import java.util.concurrent.atomic.AtomicBoolean;

/** Entry point and the one place where the agent is wired together, leaf-first. */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("sign")) {
            System.exit(SignCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err, System.getenv()));
        }
        if (args.length > 0 && args[0].equals("doctor")) {
            System.exit(Doctor.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.getenv()));
        }
        // Values are rendered from the database's own offsets; the JVM's zone must not leak into them.
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        AgentConfig config;
        Optional<TlsMaterial> tls;
        try {
            config = ConfigLoader.fromEnvironment();
            // Read before anything starts: a bad certificate or key stops the agent at once, like a bad setting.
            tls = config.tls().map(TlsMaterial::load);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Logging.use(config.observability().logFormat());
        Optional<DemoDatabase> demo = Optional.empty();
        try {
            if (config.db().isEmpty()) {
                log.info("No DB_* variables set: starting the embedded demo database");
                demo = Optional.of(DemoDatabase.start());
                config = config.withDb(demo.get().dbConfig());
            }
            Services services = buildServices(config);
            Javalin app = createApp(services, tls).start(config.host(), config.port());
            // Registered only once the API is up: the platform may call back right away.
            Optional<PlatformClient> platform = startPlatformLink(config, services, HttpApi.endpoints(app));
            Optional<DemoDatabase> demoToClose = demo;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                log.info("Shutting down");
                // Deregister first, so the platform stops sending work the agent would refuse.
                platform.ifPresent(PlatformClient::close);
                app.stop();
                services.close();
                demoToClose.ifPresent(DemoDatabase::close);
            }, "dea-shutdown"));
            log.info("Data Execution Agent {} listening on {}://{}:{} ({})", Services.VERSION, config.scheme(), config.host(), app.port(), config);
            Banner.print(config, app.port(), demo.isPresent());
        } catch (RuntimeException e) {
            demo.ifPresent(DemoDatabase::close);
            log.error("The agent could not start: {}", e.getMessage(), e);
            System.exit(1);
        }
    }

    /** Builds every service leaf-first. The config must name a database. */
    public static Services buildServices(AgentConfig config) {
        var dbConfig = config.db().orElseThrow(() -> new IllegalArgumentException("config has no database"));
        AgentMetrics metrics = new AgentMetrics();
        Database database = null;
        FrameCache cache = null;
        SandboxService sandbox = null;
        AuditLog audit = null;
        try {
            database = new Database(dbConfig, config.sql(), Optional.of(metrics.registry()));
            Database db = database;
            // The guard's allow-list is read from the server's own catalog, once, when the first
            // statement arrives (the database may be down at start-up).
            SqlGuard guard = new SqlGuard(config.sql().extraDeniedFunctions(), config.sql().extraDeniedTables(),
                    config.sql().allowedFunctionSchemas(), List.of(dbConfig.searchPath().split(",")),
                    () -> db.readOnly(CallCatalog::load));
            cache = new FrameCache(config.cache());
            metrics.watchCache(cache::stats);
            SchemaService schema = new SchemaService(database, config.schema(), Clock.systemUTC());
            ProfileService profiles = new ProfileService(database, schema, config.schema());
            SqlRunner sqlRunner = new SqlRunner(database, guard, cache, metrics.executions());
            // sql() inside sandboxed code takes the same guarded, read-only path as /execute.
            sandbox = new SandboxService(config.sandbox(), cache, sqlRunner::frame);
            metrics.watchSandbox(sandbox::load);
            audit = new AuditLog(AuditConfig.from(config.audit()));
            ExecutionService execution = new ExecutionService(sqlRunner, sandbox, cache, audit, metrics.executions());
            // Beside the frames, not among them: the cache manages only its frames/ and tmp/.
            JobService jobs = new JobService(config.jobs(), config.cache().dir().resolve("jobs"), execution, profiles,
                    sandbox, FrameJson.newMapper(), Clock.systemUTC());
            return new Services(config, database, cache, schema, profiles, sqlRunner, sandbox,
                    new InlineFrames(cache), audit, execution, jobs, new AtomicBoolean(), metrics);
        } catch (RuntimeException e) {
            if (audit != null) {
                audit.close();
            }
            if (sandbox != null) {
                sandbox.close();
            }
            if (cache != null) {
                cache.close();
            }
            if (database != null) {
                database.close();
            }
            metrics.close();
            throw e;
        }
    }

    /** {@code endpoints}: what the started app routes, announced to the platform. */
    static Optional<PlatformClient> startPlatformLink(AgentConfig config, Services services, List<String> endpoints) {
        if (config.coreLogicUrl().isEmpty()) {
            log.info("CORE_LOGIC_URL is not set: not registering with a platform");
            return Optional.empty();
        }
        PlatformClient client = new PlatformClient(
                RegistrationSpec.of(config, config.platform().registrationPath(), config.platform().heartbeatInterval(),
                        services.database().config().dialect(), HealthReport.capabilities(services, endpoints)),
                () -> HealthReport.of(services).body(), Clock.systemUTC());
        client.start();
        return Optional.of(client);
    }

    /** The HTTP application for {@code services}, reading the TLS files its config names, if any. */
    public static Javalin createApp(Services services) {
        return createApp(services, services.config().tls().map(TlsMaterial::load));
    }

    static Javalin createApp(Services services, Optional<TlsMaterial> tls) {
        return HttpApi.create(services, tls);
    }
}
