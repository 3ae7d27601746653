package dev.dea;

import dev.dea.lifecycle.Services;
import dev.dea.health.HealthReport;

import dev.dea.audit.AuditConfig;
import dev.dea.audit.AuditLog;
import dev.dea.auth.SignCommand;
import dev.dea.artifact.ArtifactStore;
import dev.dea.cache.FrameCache;
import dev.dea.config.AgentConfig;
import dev.dea.config.ConfigException;
import dev.dea.config.DatasourceConfig;
import dev.dea.config.ConfigLoader;
import dev.dea.datasource.Datasource;
import dev.dea.datasource.DatasourceFactory;
import dev.dea.datasource.Datasources;
import dev.dea.demo.DemoDatabase;
import dev.dea.doctor.Doctor;
import dev.dea.execute.ExecutionService;
import dev.dea.lifecycle.Lifecycle;
import dev.dea.lifecycle.SandboxBackends;
import dev.dea.execute.InlineFrames;
import dev.dea.upload.Uploads;
import dev.dea.frame.FrameJson;
import dev.dea.history.ExecutionHistory;
import dev.dea.jobs.JobService;
import dev.dea.metrics.AgentMetrics;
import dev.dea.sandbox.SandboxService;
import dev.dea.http.HttpApi;
import dev.dea.listen.ListenPort;
import dev.dea.logging.Logging;
import dev.dea.platform.PlatformClient;
import dev.dea.platform.RegistrationSpec;
import dev.dea.tls.TlsMaterial;
import io.javalin.Javalin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TimeZone;

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
        // Before the embedded database and the services, which take seconds: a busy port is one line, at once.
        Optional<String> unbindable = listenProblem(config.host(), config.port());
        if (unbindable.isPresent()) {
            System.err.println(unbindable.get());
            System.exit(1);
            return;
        }
        Optional<DemoDatabase> demo = Optional.empty();
        // Built but not yet handed to the shutdown hook: a failed start must stop them (warm
        // containers or pods, pools), or they outlive the process until the next start's reap.
        Services started = null;
        try {
            if (config.db().isEmpty()) {
                log.info("No DB_* variables set: starting the embedded demo database");
                demo = Optional.of(DemoDatabase.start());
                config = config.withDb(demo.get().dbConfig());
            }
            Services services = buildServices(config);
            started = services;
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
            started = null;
            log.info("Data Execution Agent {} listening on {}://{}:{} ({})", Services.VERSION, config.scheme(), config.host(), app.port(), config);
            Banner.print(config, app.port(), demo.isPresent());
        } catch (ConfigException e) {
            // Found once the database answered (e.g. a privileged DB_USER): refused like a bad setting.
            closeQuietly(started);
            demo.ifPresent(DemoDatabase::close);
            System.err.println(e.getMessage());
            System.exit(2);
        } catch (RuntimeException e) {
            closeQuietly(started);
            demo.ifPresent(DemoDatabase::close);
            Optional<String> busy = bindFailure(e, config.host(), config.port());
            if (busy.isPresent()) {
                System.err.println(busy.get());
                System.exit(1);
                return;
            }
            log.error("The agent could not start: {}", e.getMessage(), e);
            System.exit(1);
        }
    }

    /**
     * Every datasource, or one ConfigException with the problems of all that were refused (a
     * privileged login): an operator fixes them in one go, not one restart each.
     */
    private static List<Datasource> buildAll(DatasourceFactory factory, List<DatasourceConfig> configs) {
        List<Datasource> built = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (DatasourceConfig c : configs) {
            try {
                built.add(factory.build(c));
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return built;
    }

    private static void closeQuietly(Services services) {
        if (services == null) {
            return;
        }
        try {
            services.close();
        } catch (RuntimeException e) {
            log.warn("Stopping the services after a failed start: {}", e.toString());
        }
    }

    /** The one line to print when {@code host:port} cannot be listened on, if it cannot. */
    static Optional<String> listenProblem(String host, int port) {
        return switch (ListenPort.probe(host, port)) {
            case ListenPort.Free free -> Optional.empty();
            case ListenPort.InUse busy -> Optional.of(ListenPort.inUseMessage(host, port, busy.holder()));
            case ListenPort.Unbindable u -> Optional.of("error: cannot listen on AGENT_HOST " + host + " AGENT_PORT " + port
                    + ": " + u.reason() + (u.reason().contains("denied") ? ": ports below 1024 need root, set AGENT_PORT above 1023"
                    : ": set AGENT_HOST to an address of this machine (0.0.0.0 for all)"));
        };
    }

    /** The probe's line when {@code e} is Jetty failing to bind a port taken since the probe, instead of its stack trace. */
    static Optional<String> bindFailure(RuntimeException e, String host, int port) {
        return ListenPort.isInUse(e) ? Optional.of(ListenPort.inUseMessage(host, port, ListenPort.holder(port))) : Optional.empty();
    }

    /** Builds every service leaf-first. The config must name a database. */
    public static Services buildServices(AgentConfig config) {
        if (config.datasources().isEmpty()) {
            throw new IllegalArgumentException("config has no database");
        }
        // Every resource is recorded as it starts: a failed start and a shutdown close the same list in reverse.
        Lifecycle lifecycle = new Lifecycle();
        try {
            // First started, last closed: the pool's meters go with the pool.
            AgentMetrics metrics = lifecycle.started("metrics", new AgentMetrics());
            FrameCache cache = lifecycle.started("frame cache", new FrameCache(config.cache()));
            metrics.watchCache(cache::stats);
            DatasourceFactory factory = new DatasourceFactory(cache, config.schema(), config.sqlAdmission(),
                    metrics.executions(), metrics.registry(), lifecycle::started);
            List<Datasource> built = buildAll(factory, config.datasources());
            // Closed before the pools: no probe runs on a closed pool.
            Datasources datasources = lifecycle.started("datasource probes", new Datasources(built));
            built.forEach(d -> metrics.watchDatasource(d.name(), () -> !d.breaker().isOpen()));
            Datasource primary = datasources.defaultDatasource();
            AuditLog audit = lifecycle.started("audit log", new AuditLog(AuditConfig.from(config.audit())));
            // The tail of the trail read back, then kept current: GET /executions after a restart still lists it.
            ExecutionHistory history = new ExecutionHistory(ExecutionHistory.DEFAULT_CAPACITY, audit.config().includeCode());
            history.load(audit.path(), audit.config().maxFiles());
            audit.onAppend(history::record);
            // Closed first: its containers are removed while the cache and the pool still serve them. sql() inside
            // sandboxed code is answered per step by ExecutionService, on the guarded path of /execute, audited.
            SandboxService sandbox = lifecycle.started("sandbox", new SandboxService(config.sandbox(), cache,
                    SandboxBackends.of(config.sandbox(), cache.directory())));
            metrics.watchSandbox(sandbox::load);
            // Beside the frames, under the cache's lock; expires with the cache's TTL.
            ArtifactStore artifacts = lifecycle.started("artifact store", new ArtifactStore(
                    config.cache().dir().resolve("artifacts"), config.cache().ttl(), config.cache().artifactsMaxBytes(),
                    config.cache().maxFrames()));
            ExecutionService execution = new ExecutionService(datasources, sandbox, cache, audit, metrics.executions(),
                    artifacts);
            // Beside the frames, not among them: the cache manages only its frames/ and tmp/.
            // Closed before everything it runs on: jobs still running are recorded as interrupted first.
            JobService jobs = lifecycle.started("jobs", new JobService(config.jobs(), config.cache().dir().resolve("jobs"),
                    execution, (datasource, table, mode, progress) ->
                            datasources.use(datasource, d -> d.profiles().profile(table, mode, progress)),
                    sandbox, FrameJson.newMapper(), Clock.systemUTC()));
            return new Services(config, datasources, primary.database(), cache, primary.schema(), primary.profiles(),
                    primary.sqlRunner(), sandbox, new InlineFrames(cache), audit, execution, jobs, lifecycle, metrics, history,
                    artifacts,
                    // Beside the frames, like jobs/: spooled uploads are emptied at start-up.
                    new Uploads(cache, audit, config.cache().dir().resolve("uploads"), config.httpLimits().uploadMaxBytes()));
        } catch (RuntimeException e) {
            lifecycle.close();
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
                        services.database().config().dialect().id(),
                        HealthReport.capabilities(config, services.datasources(), services.sandbox(), endpoints)),
                () -> HealthReport.of(config, services.datasources(), services.cache(), services.sandbox()).body(),
                Clock.systemUTC());
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
