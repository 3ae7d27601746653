package dev.dea.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares what Javalin actually routes with what the OpenAPI document describes, as
 * {@code "METHOD /path/{param}"} strings. Javalin 7 lists its endpoints through
 * {@code app.unsafe.internalRouter.allHttpHandlers()}; before/after filters are not endpoints.
 */
final class RouteContract {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private RouteContract() {
    }

    static Set<String> registered(Javalin app) {
        return new TreeSet<>(HttpApi.endpoints(app));
    }

    static Set<String> documented(JsonNode document) {
        Set<String> operations = new TreeSet<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            if (METHODS.contains(op.getKey())) {
                operations.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
            }
        }));
        return operations;
    }

    /** One line per disagreement; empty when the document and the router agree. */
    static List<String> mismatches(Set<String> registered, Set<String> documented) {
        List<String> problems = new ArrayList<>();
        registered.stream().filter(e -> !documented.contains(e))
                .forEach(e -> problems.add(e + " is routed by Javalin but missing from /openapi.json"));
        documented.stream().filter(e -> !registered.contains(e))
                .forEach(e -> problems.add(e + " is in /openapi.json but Javalin does not route it"));
        return problems;
    }
}
