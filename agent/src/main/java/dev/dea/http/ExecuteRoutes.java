package dev.dea.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.Services;
import dev.dea.error.AgentException;
import dev.dea.execute.ExecutionContext;
import io.javalin.http.Context;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@code POST /execute} and {@code POST /execute-on-data}: parse, hand to the execution service, render. */
final class ExecuteRoutes {
    /** SQL and code larger than this are a mistake, not a query. */
    static final int MAX_CODE_CHARS = 1_000_000;
    static final int DEFAULT_PREVIEW_ROWS = 1_000;
    /** Frames one step may read: a step is an analysis, not a bulk export. */
    static final int MAX_INPUTS = 32;
    private static final Pattern INPUT_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

    private final Services services;
    private final JsonBodies bodies;

    ExecuteRoutes(Services services, JsonBodies bodies) {
        this.services = services;
        this.bodies = bodies;
    }

    void execute(Context ctx) {
        JsonNode body = bodies.object(ctx);
        String language = JsonBodies.requiredString(body, "language", 32).strip().toLowerCase(Locale.ROOT);
        int preview = previewRows(body);
        ExecutionContext context = context(ctx);
        switch (language) {
            case "sql" -> ctx.json(services.execution().executeSql(JsonBodies.requiredString(body, "code", MAX_CODE_CHARS),
                    preview, context));
            case "python" -> ctx.json(services.execution().executePython(JsonBodies.requiredString(body, "code", MAX_CODE_CHARS),
                    Map.of(), preview, context));
            default -> throw AgentException.validation("Field 'language' must be 'sql' or 'python', got '"
                    + abbreviate(language) + "'");
        }
    }

    void executeOnData(Context ctx) {
        JsonNode body = bodies.object(ctx);
        String code = JsonBodies.requiredString(body, "code", MAX_CODE_CHARS);
        int preview = previewRows(body);
        Optional<String> requestId = Optional.of(RequestIds.of(ctx));
        Map<String, String> inputs = new LinkedHashMap<>();
        JsonNode keys = body.get("cache_keys");
        if (keys != null && !keys.isNull()) {
            if (!keys.isObject()) {
                throw AgentException.validation("Field 'cache_keys' must be an object of name -> cache key, got "
                        + JsonBodies.describe(keys));
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = keys.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw AgentException.validation("cache_keys['" + abbreviate(e.getKey()) + "'] must be a string");
                }
                inputs.put(checkName(e.getKey(), inputs), e.getValue().textValue());
            }
        }
        JsonNode inline = body.get("input_data");
        if (inline != null && !inline.isNull()) {
            if (!inline.isObject()) {
                throw AgentException.validation("Field 'input_data' must be an object of name -> {columns, rows}, got "
                        + JsonBodies.describe(inline));
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = inline.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = checkName(e.getKey(), inputs);
                inputs.put(name, services.inlineFrames().store(name, e.getValue(), requestId).key());
            }
        }
        if (inputs.size() > MAX_INPUTS) {
            throw AgentException.validation("A step may read at most " + MAX_INPUTS + " frames, got " + inputs.size());
        }
        ctx.json(services.execution().executePython(code, inputs, preview, context(ctx)));
    }

    private static ExecutionContext context(Context ctx) {
        return new ExecutionContext(RequestIds.of(ctx), ctx.ip());
    }

    private String checkName(String name, Map<String, String> inputs) {
        if (!INPUT_NAME.matcher(name).matches()) {
            throw AgentException.validation("Input name '" + abbreviate(name)
                    + "' must be 1-128 letters, digits, '_', '.' or '-'");
        }
        if (inputs.containsKey(name)) {
            throw AgentException.validation("Input name '" + name + "' is given twice (cache_keys and input_data share names)");
        }
        if (inputs.size() >= MAX_INPUTS) {
            throw AgentException.validation("A step may read at most " + MAX_INPUTS + " frames");
        }
        return name;
    }

    private int previewRows(JsonNode body) {
        int maxPreview = services.config().sql().maxPreviewRows();
        return JsonBodies.optionalInt(body, "preview_rows", 0, maxPreview).orElse(Math.min(DEFAULT_PREVIEW_ROWS, maxPreview));
    }

    private static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }
}
