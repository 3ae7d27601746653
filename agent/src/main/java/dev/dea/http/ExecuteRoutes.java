package dev.dea.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.Services;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import io.javalin.http.Context;

import java.util.Locale;
import java.util.Optional;

/** {@code POST /execute}: parse, hand to the execution service, render. */
final class ExecuteRoutes {
    /** SQL and code larger than this are a mistake, not a query. */
    static final int MAX_CODE_CHARS = 1_000_000;
    static final int DEFAULT_PREVIEW_ROWS = 1_000;

    private final Services services;
    private final JsonBodies bodies;

    ExecuteRoutes(Services services, JsonBodies bodies) {
        this.services = services;
        this.bodies = bodies;
    }

    void execute(Context ctx) {
        JsonNode body = bodies.object(ctx);
        String language = JsonBodies.requiredString(body, "language", 32).strip().toLowerCase(Locale.ROOT);
        int maxPreview = services.config().sql().maxPreviewRows();
        int preview = JsonBodies.optionalInt(body, "preview_rows", 0, maxPreview)
                .orElse(Math.min(DEFAULT_PREVIEW_ROWS, maxPreview));
        switch (language) {
            case "sql" -> {
                String code = JsonBodies.requiredString(body, "code", MAX_CODE_CHARS);
                ctx.json(services.execution().executeSql(code, preview, Optional.of(RequestIds.of(ctx))));
            }
            case "python" -> throw new AgentException(ErrorType.NOT_IMPLEMENTED,
                    "Python execution needs the sandbox, which this agent version does not include yet; use language 'sql'");
            default -> throw AgentException.validation("Field 'language' must be 'sql' or 'python', got '"
                    + abbreviate(language) + "'");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }
}
