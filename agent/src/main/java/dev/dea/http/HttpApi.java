package dev.dea.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.Services;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.frame.FrameJson;
import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
        // Every route is added with its OpenAPI description; a new route class adds one line here.
        ApiRoutes api = new ApiRoutes();
        new HealthRoutes(services).register(api);
        new SchemaRoutes(services).register(api);
        new ExecuteRoutes(services, bodies).register(api);
        new FrameRoutes(services).register(api);
        DocsRoutes.register(api, services.config());
        var limits = services.config().authLimits();
        BearerAuth auth = new BearerAuth(services.config().acceptedTokens(), api.publicPaths(),
                new AuthThrottle(limits.failureLimit(), limits.window(), limits.block(), java.time.Clock.systemUTC()));

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
            api.registerWith(config.routes);

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
