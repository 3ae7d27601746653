package dev.dea.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.openapi.ApiInfo;
import dev.dea.openapi.ApiOperation;
import dev.dea.openapi.ApiTag;
import dev.dea.openapi.OpenApiDocument;
import dev.dea.openapi.SchemaRef;
import io.javalin.Javalin;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract check of OpenApiContractIT must catch both directions of drift. */
class RouteContractTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ApiInfo INFO = new ApiInfo("t", "1", "d", Optional.empty());

    private static ApiOperation op(String method, String path) {
        ApiOperation.Builder b = ApiOperation.operation(method, path).tag(new ApiTag("things", "t")).summary("s")
                .ok("ok", SchemaRef.inline("{\"type\": \"object\"}"));
        if (path.contains("{key}")) {
            b.pathParam("key", "k", SchemaRef.inline("{\"type\": \"string\"}"));
        }
        return b.build();
    }

    private static ApiRoutes registry() {
        ApiRoutes api = new ApiRoutes();
        api.add(op("GET", "/things/{key}"), ctx -> ctx.result("thing"));
        api.add(op("DELETE", "/things/{key}"), ctx -> ctx.status(204));
        return api;
    }

    private static List<String> check(ApiRoutes api, Consumer<io.javalin.config.JavalinConfig> extra, List<ApiOperation> extraDocs) {
        Javalin app = Javalin.create(config -> {
            config.routes.before(ctx -> { });
            api.registerWith(config.routes);
            extra.accept(config);
        });
        List<ApiOperation> operations = new ArrayList<>(api.operations());
        operations.addAll(extraDocs);
        var document = JSON.valueToTree(OpenApiDocument.build(JSON, INFO, operations));
        return RouteContract.mismatches(RouteContract.registered(app), RouteContract.documented(document));
    }

    @Test
    void agreesWhenEveryRouteGoesThroughTheRegistry() {
        assertThat(check(registry(), config -> { }, List.of())).isEmpty();
    }

    @Test
    void reportsARouteRegisteredBehindTheRegistrysBack() {
        var problems = check(registry(), config -> config.routes.get("/metrics", ctx -> ctx.result("")), List.of());
        assertThat(problems).containsExactly("GET /metrics is routed by Javalin but missing from /openapi.json");
    }

    @Test
    void reportsADocumentedOperationThatIsNotRouted() {
        var problems = check(registry(), config -> { }, List.of(op("POST", "/mcp")));
        assertThat(problems).containsExactly("POST /mcp is in /openapi.json but Javalin does not route it");
    }

    @Test
    void theRegistryRefusesToListOperationsBeforeTheyAreAllRegistered() {
        ApiRoutes api = registry();
        org.assertj.core.api.Assertions.assertThatThrownBy(api::operations).isInstanceOf(IllegalStateException.class);
    }
}
