package dev.dea.http;

import dev.dea.datasource.Datasources;
import dev.dea.openapi.ApiOperation;
import dev.dea.openapi.ApiTag;
import dev.dea.openapi.SchemaRef;
import io.javalin.http.Context;

import java.util.Map;

/** {@code GET /datasources}: which databases this agent serves, and their state. */
final class DatasourceRoutes {
    private static final ApiTag DATASOURCES = new ApiTag("datasources",
            "The databases this agent serves; every capability takes one by name (none: the default).");
    /** One datasource's state, as {@code /health} lists it too. */
    static final String DATASOURCE_JSON = """
            {"type": "object", "required": ["name", "dialect", "default", "status"], "properties": {
              "name": {"type": "string", "pattern": "^[a-z0-9_-]{1,63}$"},
              "dialect": {"type": "string", "enum": ["postgresql", "mysql"]},
              "default": {"type": "boolean", "description": "used by every call that names no datasource"},
              "status": {"type": "string", "enum": ["up", "down"]},
              "reason": {"type": "string", "description": "why it is down"},
              "server": {"type": "object", "required": ["product", "version"], "properties": {
                "product": {"type": "string", "examples": ["PostgreSQL"]}, "version": {"type": "string"}}}}}""";

    private final Datasources datasources;

    DatasourceRoutes(Datasources datasources) {
        this.datasources = datasources;
    }

    void register(ApiRoutes api) {
        api.add(ApiOperation.get("/datasources").tag(DATASOURCES)
                .summary("The datasources, their server and whether they answer")
                .description("The state is the last background probe's (every second): this call never waits "
                        + "for a database that is down.")
                .ok("Every datasource, in the configured order", SchemaRef.written("Datasources", """
                        {"type": "object", "required": ["datasources"], "properties": {
                          "datasources": {"type": "array", "items": %s}}}""".formatted(DATASOURCE_JSON)))
                .build(), this::list);
    }

    void list(Context ctx) {
        ctx.json(Map.of("datasources", datasources.statuses()));
    }

    /** The {@code datasource} query parameter, as every route that takes one documents it. */
    static final String PARAM = "datasource";
    static final String PARAM_DESCRIPTION = "the datasource's name (GET /datasources); omitted: the default one";
    static final SchemaRef PARAM_SCHEMA = SchemaRef.inline("{\"type\": \"string\", \"pattern\": \"^[a-z0-9_-]{1,63}$\"}");

    static java.util.Optional<String> param(Context ctx) {
        return java.util.Optional.ofNullable(ctx.queryParam(PARAM)).filter(s -> !s.isBlank());
    }
}
