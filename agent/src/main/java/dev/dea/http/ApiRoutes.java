package dev.dea.http;

import dev.dea.error.AgentException;
import dev.dea.openapi.ApiOperation;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.router.JavalinDefaultRoutingApi;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * The route registry: each route class adds its handlers here together with the
 * {@link ApiOperation} that documents them, and {@link HttpApi} hands the lot to Javalin. So
 * a route cannot be served without being in {@code /openapi.json}, and which routes need no
 * token is said once, on the operation. Adding a route is one {@link #add} call.
 */
final class ApiRoutes {
    private record Route(ApiOperation operation, Handler handler) {
    }

    private final List<Route> routes = new ArrayList<>();
    private boolean registered;

    void add(ApiOperation operation, Handler handler) {
        requireNonNull(operation, "operation");
        requireNonNull(handler, "handler");
        if (registered) {
            throw new IllegalStateException(operation.key() + " was added after the routes were registered with Javalin");
        }
        if (routes.stream().anyMatch(r -> r.operation().key().equals(operation.key()))) {
            throw new IllegalStateException(operation.key() + " is added twice");
        }
        routes.add(new Route(operation, handler));
    }

    /** Registers every handler with Javalin; no route may be added after this. */
    void registerWith(JavalinDefaultRoutingApi javalin) {
        registered = true;
        for (Route route : routes) {
            javalin.addHttpHandler(HandlerType.findOrCreate(route.operation().method()), route.operation().path(),
                    declaredOnly(route.operation(), route.handler()));
        }
    }

    /**
     * The handler behind a check that the request sends only what {@code operation} documents:
     * an unknown query parameter is refused here, an unknown body field by {@link JsonBodies#object}
     * with the fields handed over in the context. Both sets come from the operation, so the
     * check and {@code /openapi.json} cannot disagree.
     */
    private static Handler declaredOnly(ApiOperation operation, Handler handler) {
        Set<String> query = operation.queryParameters();
        Optional<Set<String>> fields = operation.bodyFields();
        String where = operation.key();
        return ctx -> {
            Set<String> unknown = new TreeSet<>(ctx.queryParamMap().keySet());
            unknown.removeAll(query);
            if (!unknown.isEmpty()) {
                throw AgentException.unknownNames("query parameter", where, unknown, query);
            }
            fields.ifPresent(accepted -> JsonBodies.acceptOnly(ctx, where, accepted));
            handler.handle(ctx);
        };
    }

    /** Every operation, in the order added. Only complete once the routes were registered. */
    List<ApiOperation> operations() {
        if (!registered) {
            throw new IllegalStateException("The operations are complete only once the routes were registered");
        }
        return routes.stream().map(Route::operation).toList();
    }

    /** The paths of public operations, for the authentication filter (which matches paths exactly). */
    Set<String> publicPaths() {
        Set<String> paths = new TreeSet<>();
        for (Route route : routes) {
            ApiOperation op = route.operation();
            if (op.publicAccess()) {
                if (op.path().contains("{")) {
                    throw new IllegalStateException("A public route needs a fixed path: " + op.key());
                }
                paths.add(op.path());
                // The router ignores trailing slashes (HttpApi); the exact-match filter must agree.
                paths.add(op.path() + "/");
            }
        }
        return paths;
    }
}
