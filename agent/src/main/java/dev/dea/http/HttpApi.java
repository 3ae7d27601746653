package dev.dea.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.health.HealthReport;
import dev.dea.lifecycle.Services;
import dev.dea.auth.NonceCache;
import dev.dea.auth.RequestVerifier;
import dev.dea.config.AgentConfig;
import dev.dea.config.AuthSettings;
import dev.dea.config.HttpLimits;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.frame.FrameJson;
import dev.dea.mcp.McpEndpoint;
import dev.dea.mcp.McpServices;
import dev.dea.tls.TlsMaterial;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the Javalin application: request ids, authentication, routes and the single
 * error mapping. Routes only parse, call a service and render.
 */
public final class HttpApi {
    private HttpApi() {
    }

    /** With {@code tls} present the application listens for HTTPS only; see {@link HttpsConnector}. */
    public static Javalin create(Services services, Optional<TlsMaterial> tls) {
        ObjectMapper mapper = FrameJson.newMapper();
        HttpLimits httpLimits = services.config().httpLimits();
        JsonBodies bodies = new JsonBodies(mapper, services.config().maxRequestBytes(), httpLimits.bodyTimeout());
        // Every route is added with its OpenAPI description; a new route class adds one line here.
        ApiRoutes api = new ApiRoutes();
        // Each route class gets only the services it uses.
        int maxPreview = services.config().sql().maxPreviewRows();
        new HealthRoutes(() -> HealthReport.of(services.config(), services.datasources(), services.cache(),
                services.sandbox())).register(api);
        new DatasourceRoutes(services.datasources()).register(api);
        new SchemaRoutes(services.datasources(), services.jobs()).register(api);
        new ExecuteRoutes(services.execution(), services.jobs(), services.datasources(), maxPreview, bodies).register(api);
        FrameRoutes frames = new FrameRoutes(services.cache(), maxPreview);
        frames.register(api);
        new UploadRoutes(services.uploads(), frames, httpLimits.bodyTimeout()).register(api);
        new ArtifactRoutes(services.artifacts()).register(api);
        new JobRoutes(services.jobs()).register(api);
        new HistoryRoutes(services.history()).register(api);
        new MetricsRoutes(services.metrics()).register(api, services.config().observability().metricsPublic());
        DocsRoutes.register(api, services.config());
        var limits = services.config().authLimits();
        Authenticator auth = authenticator(services.config(), bodies, api.publicPaths(),
                new AuthThrottle(limits.failureLimit(), limits.window(), limits.block(), java.time.Clock.systemUTC()));
        AccessLog accessLog = new AccessLog(services.metrics().http());
        McpEndpoint mcp = new McpEndpoint(new McpServices(services.datasources(), services.execution(), services.cache(),
                services.uploads(), services.artifacts(), services.sandbox()::abort, maxPreview,
                services.config().maxRequestBytes(),
                // Bounded by the services' own limits (SQL and sandbox timeouts); this only backs them up.
                services.config().sandbox().timeout().plus(Duration.ofMinutes(5))), Services.VERSION);
        new McpRoutes(mcp, bodies).register(api);

        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jsonMapper(new JavalinJackson(mapper, false));
            config.http.maxRequestSize = services.config().maxRequestBytes();
            config.http.prefer405over404 = true;
            config.router.ignoreTrailingSlashes = true;
            tls.ifPresent(material -> HttpsConnector.install(config, material));
            config.jetty.threadPool = threadPool(httpLimits);
            config.jetty.modifyServer(server -> {
                server.setErrorHandler(new ProtocolErrors(mapper));
                // Javalin nests its servlet context inside this wrapper, so every request passes it first.
                server.setHandler(new ClientLimits(httpLimits, HealthRoutes.PATHS, mapper));
            });
            config.requestLogger.http(accessLog::record);

            config.routes.before(ctx -> {
                RequestIds.assign(ctx);
                auth.check(ctx);
            });
            api.registerWith(config.routes);
            config.events.serverStopped(mcp::close);

            config.routes.exception(AgentException.class, (e, ctx) -> ErrorRenderer.render(ctx, e));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> ErrorRenderer.renderJavalin(ctx, e));
            config.routes.exception(Exception.class, (e, ctx) -> ErrorRenderer.renderUnexpected(ctx, e));
            // Error handlers also run after our own 404s; only an unmatched route still needs a body.
            config.routes.error(404, ctx -> {
                if (!ErrorRenderer.rendered(ctx)) {
                    ErrorRenderer.write(ctx, ErrorType.NOT_FOUND, "No route " + ctx.method() + " " + ctx.path(), java.util.Map.of());
                }
            });
        });
    }

    /**
     * Above MAX_CONCURRENT_REQUESTS, which {@link ClientLimits} enforces, so that /health (not
     * counted there) and Jetty's own acceptors and selectors always find a thread.
     */
    private static QueuedThreadPool threadPool(HttpLimits limits) {
        QueuedThreadPool pool = new QueuedThreadPool(limits.serverThreads(), 8, 60_000);
        pool.setName("JettyServerThreadPool");
        return pool;
    }

    /**
     * What {@code app} really routes, as {@code "METHOD /path/{param}"} in sorted order: told to the
     * platform at registration, and compared with the OpenAPI document by the tests.
     */
    public static List<String> endpoints(Javalin app) {
        Set<String> endpoints = new TreeSet<>();
        app.unsafe.internalRouter.allHttpHandlers().forEach(parsed -> {
            if (parsed.endpoint.method.isHttpMethod()) {
                endpoints.add(parsed.endpoint.method.name() + " " + parsed.endpoint.path);
            }
        });
        return List.copyOf(endpoints);
    }

    /** AUTH_MODE: bearer tokens, or HMAC-signed requests (docs/request-signing.md). /health stays public. */
    private static Authenticator authenticator(AgentConfig config, JsonBodies bodies, Set<String> publicPaths,
                                               AuthThrottle throttle) {
        AuthSettings auth = config.auth();
        if (auth.mode() == AuthSettings.Mode.HMAC) {
            java.time.Clock clock = java.time.Clock.systemUTC();
            RequestVerifier verifier = new RequestVerifier(auth.acceptedHmacSecrets(), auth.maxAge(),
                    new NonceCache(auth.nonceCacheSize(), clock), clock);
            return new Authenticator(new HmacAuth(verifier, bodies), publicPaths, throttle);
        }
        return new Authenticator(new BearerAuth(config.acceptedTokens()), publicPaths, throttle);
    }
}
