package dev.dea.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.Services;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.frame.FrameJson;
import dev.dea.mcp.McpEndpoint;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * Builds the Javalin application: request ids, authentication, routes and the single
 * error mapping. Routes only parse, call a service and render.
 */
public final class HttpApi {
    private static final Logger accessLog = LoggerFactory.getLogger("dev.dea.access");

    private HttpApi() {
    }

    public static Javalin create(Services services) {
        ObjectMapper mapper = FrameJson.newMapper();
        JsonBodies bodies = new JsonBodies(mapper, services.config().maxRequestBytes());
        var limits = services.config().authLimits();
        BearerAuth auth = new BearerAuth(services.config().acceptedTokens(), Set.of("/health"),
                new AuthThrottle(limits.failureLimit(), limits.window(), limits.block(), java.time.Clock.systemUTC()));
        HealthRoutes health = new HealthRoutes(services);
        SchemaRoutes schema = new SchemaRoutes(services);
        ExecuteRoutes execute = new ExecuteRoutes(services, bodies);
        FrameRoutes frames = new FrameRoutes(services);
        McpEndpoint mcpEndpoint = new McpEndpoint(services, Services.VERSION);
        McpRoutes mcp = new McpRoutes(mcpEndpoint);

        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jsonMapper(new JavalinJackson(mapper, false));
            config.http.maxRequestSize = services.config().maxRequestBytes();
            config.http.prefer405over404 = true;
            config.router.ignoreTrailingSlashes = true;
            config.requestLogger.http((ctx, ms) -> accessLog.info("{} {} {} {}ms request={}", ctx.method(), ctx.path(),
                    ctx.statusCode(), String.format("%.1f", ms), RequestIds.of(ctx)));

            config.routes.before(ctx -> {
                RequestIds.assign(ctx);
                auth.check(ctx);
            });
            config.routes.get("/health", health::health);
            config.routes.get("/schema", schema::schema);
            config.routes.post("/schema/refresh", schema::refresh);
            config.routes.get("/schema/{table}/profile", schema::profile);
            config.routes.post("/execute", execute::execute);
            config.routes.post("/execute-on-data", execute::executeOnData);
            config.routes.get("/frames/{key}", frames::describe);
            config.routes.get("/frames/{key}/data", frames::data);
            config.routes.delete("/frames/{key}", frames::delete);
            config.routes.post("/mcp", mcp::post);
            config.routes.get("/mcp", mcp::notAllowed);
            config.routes.delete("/mcp", mcp::notAllowed);
            config.events.serverStopped(mcpEndpoint::close);

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
}
