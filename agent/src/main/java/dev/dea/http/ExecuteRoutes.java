package dev.dea.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.datasource.Datasources;
import dev.dea.execute.ExecutionService;
import dev.dea.jobs.JobService;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.execute.ExecutionContext;
import dev.dea.execute.ExecutionRequest;
import dev.dea.execute.StepLimits;
import dev.dea.execute.ExecutionResult;
import dev.dea.openapi.ApiOperation;
import dev.dea.openapi.ApiTag;
import dev.dea.openapi.SchemaRef;
import io.javalin.http.Context;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** {@code POST /execute} and {@code POST /execute-on-data}: parse, hand to the execution service, render. */
final class ExecuteRoutes {
    private static final ApiTag EXECUTE = new ApiTag("execute",
            "Guarded read-only SQL and sandboxed Python/pandas; every result is cached as a frame.");
    /** Rows in the answer when the request does not say (never more than PREVIEW_MAX_ROWS). */
    static final int DEFAULT_PREVIEW_ROWS = 1_000;

    private final ExecutionService execution;
    private final JobService jobs;
    private final Datasources datasources;
    private final int maxPreview;
    private final JsonBodies bodies;

    /** {@code maxPreview} is PREVIEW_MAX_ROWS; {@code datasources} only to refuse an unknown name before a job is queued. */
    ExecuteRoutes(ExecutionService execution, JobService jobs, Datasources datasources, int maxPreview, JsonBodies bodies) {
        this.execution = execution;
        this.jobs = jobs;
        this.datasources = datasources;
        this.maxPreview = maxPreview;
        this.bodies = bodies;
    }

    void register(ApiRoutes api) {
        String code = """
                "code": {"type": "string", "minLength": 1, "maxLength": %d},
                "preview_rows": {"type": "integer", "minimum": 0, "maximum": %d, "default": %d,
                  "description": "rows of the result returned in `data`; the whole result is in the cached frame"},
                "exact_decimals": {"type": "boolean", "default": false,
                  "description": "Python only: decimal columns (SQL numeric/DECIMAL) reach pandas as exact Decimal \
                objects (dtype object) instead of float64, in input_data and in sql() results"}"""
                .formatted(StepLimits.MAX_CODE_CHARS, maxPreview, Math.min(DEFAULT_PREVIEW_ROWS, maxPreview));
        String inputName = "{\"pattern\": \"^[A-Za-z0-9_.-]{1,128}$\"}";
        SchemaRef result = SchemaRef.named("EnrichedExecutionResult", ExecutionResult.class);
        api.add(ApiOperation.post("/execute").tag(EXECUTE)
                .summary("Run one read-only SQL statement or a Python/pandas step")
                .description("""
                        `sql`: one statement, checked by the SQL guard (docs/sql-guard.md) and run in a read-only \
                        transaction that is always rolled back. `python`: pandas code in a one-off sandbox that sets \
                        `result_df`; inside it `sql(query)` and `pd.read_sql(query, conn)` take the same guarded path. \
                        The result is cached as a frame under `cache_key`. A Python step that assigns no `result_df` \
                        but prints or draws succeeds with `frame_created: false` and no `cache_key`.""")
                .jsonBody(SchemaRef.written("ExecuteRequest", """
                        {"type": "object", "required": ["language", "code"], "additionalProperties": false, "properties": {
                          "language": {"type": "string", "enum": ["sql", "python"], "description": "case-insensitive"},
                          "datasource": {"type": "string", "pattern": "^[a-z0-9_-]{1,63}$",
                            "description": "SQL only: the datasource to run on (GET /datasources); omitted: the default one"},
                          %s}}""".formatted(code)))
                .ok("The result, with a preview of its rows", result)
                .apply(JobRoutes::asyncCapable)
                .errors(ErrorType.VALIDATION_ERROR, ErrorType.NOT_FOUND, ErrorType.SQL_REJECTED, ErrorType.SQL_ERROR, ErrorType.TIMEOUT,
                        ErrorType.RESULT_TOO_LARGE, ErrorType.EXECUTION_ERROR, ErrorType.MEMORY_LIMIT,
                        ErrorType.TOO_MANY_REQUESTS, ErrorType.SANDBOX_UNAVAILABLE, ErrorType.DB_UNAVAILABLE)
                .build(), this::execute);
        api.add(ApiOperation.post("/execute-on-data").tag(EXECUTE)
                .summary("Run a Python/pandas step on cached frames and inline data")
                .description("""
                        Each input is a DataFrame in `input_data[name]` (dtypes of docs/frame-format.md): cached \
                        frames by key, or rows sent inline. The code sets `result_df`; the response adds `stdout`, \
                        `stderr` and `artifacts` (open matplotlib figures as PNG, files the code wrote to `OUT_DIR`), each \
                        with a `key` and `url` to download it from (GET /artifacts/{key}); only images up to 256 KiB are \
                        inlined as `data_base64`. A step that only prints, draws or writes a file succeeds with \
                        `frame_created: false` and no `cache_key`.""")
                .jsonBody(SchemaRef.written("ExecuteOnDataRequest", """
                        {"type": "object", "required": ["code"], "additionalProperties": false, "properties": {
                          %s,
                          "cache_keys": {"type": "object", "maxProperties": %d, "propertyNames": %s,
                            "additionalProperties": {"type": "string"},
                            "description": "input name -> cache_key of an earlier result"},
                          "input_data": {"type": "object", "maxProperties": %d, "propertyNames": %s,
                            "description": "input name -> rows; column kinds are inferred: integers -> int64, \
                        other numbers -> float64, booleans, strings, anything else -> json",
                            "additionalProperties": {"type": "object", "required": ["columns", "rows"], "properties": {
                              "columns": {"type": "array", "minItems": 1, "uniqueItems": true,
                                "items": {"type": "string", "minLength": 1}},
                              "rows": {"type": "array", "items": {"type": "array"}}}}}},
                          "description": "At most %d inputs in all; cache_keys and input_data share one \
                        namespace of names."}"""
                        .formatted(code, StepLimits.MAX_INPUTS, inputName, StepLimits.MAX_INPUTS, inputName, StepLimits.MAX_INPUTS)))
                .ok("The result, with the code's output and figures", result)
                .apply(JobRoutes::asyncCapable)
                .errors(ErrorType.VALIDATION_ERROR, ErrorType.NOT_FOUND, ErrorType.TIMEOUT, ErrorType.RESULT_TOO_LARGE,
                        ErrorType.EXECUTION_ERROR, ErrorType.MEMORY_LIMIT, ErrorType.TOO_MANY_REQUESTS,
                        ErrorType.SANDBOX_UNAVAILABLE, ErrorType.DB_UNAVAILABLE)
                .build(), this::executeOnData);
    }

    void execute(Context ctx) {
        run(ctx, "execute", executeRequest(bodies.object(ctx)));
    }

    void executeOnData(Context ctx) {
        run(ctx, "execute-on-data", executeOnDataRequest(bodies.object(ctx)));
    }

    private void run(Context ctx, String kind, ExecutionRequest request) {
        if (JobRoutes.respondAsync(ctx)) {
            // An unknown name is a 404 now, not a failed job later.
            datasources.get(request.datasource());
            JobRoutes.accepted(ctx, jobs.submitExecution(kind, request, context(ctx)));
        } else {
            ctx.json(execution.execute(request, context(ctx)));
        }
    }

    ExecutionRequest executeRequest(JsonNode body) {
        String language = JsonBodies.requiredString(body, "language", 32).strip().toLowerCase(Locale.ROOT);
        int preview = previewRows(body);
        return switch (language) {
            case "sql" -> ExecutionRequest.sql(JsonBodies.requiredString(body, "code", StepLimits.MAX_CODE_CHARS), preview)
                    .on(datasource(body)).withExactDecimals(exactDecimals(body));
            case "python" -> {
                refuseDatasource(body);
                yield ExecutionRequest.python(JsonBodies.requiredString(body, "code", StepLimits.MAX_CODE_CHARS),
                        Map.of(), Map.of(), preview).withExactDecimals(exactDecimals(body));
            }
            default -> throw AgentException.validation("Field 'language' must be 'sql' or 'python', got '"
                    + abbreviate(language) + "'");
        };
    }

    /** The {@code datasource} field, if given: a string; whether the name exists is the service's to say. */
    private static java.util.Optional<String> datasource(JsonNode body) {
        JsonNode node = body.get("datasource");
        if (node == null || node.isNull()) {
            return java.util.Optional.empty();
        }
        if (!node.isTextual()) {
            throw AgentException.validation("Field 'datasource' must be a string, got " + JsonBodies.describe(node));
        }
        if (node.textValue().isBlank()) {
            // Not the default: an empty name in a JSON body is more likely an unset variable than a choice.
            throw AgentException.validation("Field 'datasource' must name a datasource (GET /datasources lists them); "
                    + "omit it for the default datasource");
        }
        return java.util.Optional.of(node.textValue());
    }

    /** Python reaches a datasource through sql() in its code, not through the request. */
    private static void refuseDatasource(JsonNode body) {
        if (datasource(body).isPresent()) {
            throw AgentException.validation("Field 'datasource' applies to language 'sql' only; Python code names its "
                    + "datasource in each call: sql(query, datasource='NAME') or pd.read_sql(query, conns['NAME']) "
                    + "(sql(query) and conn read the default one)");
        }
    }

    ExecutionRequest executeOnDataRequest(JsonNode body) {
        String code = JsonBodies.requiredString(body, "code", StepLimits.MAX_CODE_CHARS);
        int preview = previewRows(body);
        Map<String, String> keys = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : objectField(body, "cache_keys", "name -> cache key").entrySet()) {
            if (!e.getValue().isTextual()) {
                throw AgentException.validation("cache_keys['" + abbreviate(e.getKey()) + "'] must be a string");
            }
            keys.put(e.getKey(), e.getValue().textValue());
        }
        Map<String, JsonNode> inline = objectField(body, "input_data", "name -> {columns, rows}");
        return ExecutionRequest.python(code, keys, inline, preview).withExactDecimals(exactDecimals(body));
    }

    private static Map<String, JsonNode> objectField(JsonNode body, String field, String shape) {
        Map<String, JsonNode> entries = new LinkedHashMap<>();
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return entries;
        }
        if (!node.isObject()) {
            throw AgentException.validation("Field '" + field + "' must be an object of " + shape + ", got "
                    + JsonBodies.describe(node));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            // Counted as they come, so a body of a million names stops at the first one too many.
            if (entries.size() >= StepLimits.MAX_INPUTS) {
                throw AgentException.validation("A step may read at most " + StepLimits.MAX_INPUTS + " frames");
            }
            entries.put(e.getKey(), e.getValue());
        }
        return entries;
    }

    static ExecutionContext context(Context ctx) {
        return new ExecutionContext(RequestIds.of(ctx), ctx.ip());
    }

    private static boolean exactDecimals(JsonNode body) {
        JsonNode node = body.get("exact_decimals");
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw AgentException.validation("Field 'exact_decimals' must be true or false, got " + JsonBodies.describe(node));
        }
        return node.booleanValue();
    }

    private int previewRows(JsonNode body) {
        return JsonBodies.optionalInt(body, "preview_rows", 0, maxPreview).orElse(Math.min(DEFAULT_PREVIEW_ROWS, maxPreview));
    }

    private static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }
}
