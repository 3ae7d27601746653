package dev.dea.http;

import dev.dea.artifact.ArtifactMeta;
import dev.dea.artifact.ArtifactStore;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.openapi.ApiContent;
import dev.dea.openapi.ApiOperation;
import dev.dea.openapi.ApiTag;
import dev.dea.openapi.SchemaRef;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.util.Set;

/** Artifacts of Python steps (figures, files written to OUT_DIR): download and drop by key. */
final class ArtifactRoutes {
    private static final ApiTag ARTIFACTS = new ApiTag("artifacts",
            "Figures and files a Python step produced, by the key its result listed, for the cache's TTL.");
    /** Markup a browser would run: it must never execute as the agent's origin. */
    private static final Set<String> ACTIVE_TYPES = Set.of("text/html", "image/svg+xml");

    private final ArtifactStore store;

    ArtifactRoutes(ArtifactStore store) {
        this.store = store;
    }

    void register(ApiRoutes api) {
        SchemaRef key = SchemaRef.inline("{\"type\": \"string\", \"description\": \"the key of an artifact in a result\"}");
        api.add(ApiOperation.get("/artifacts/{key}").tag(ARTIFACTS)
                .summary("An artifact's bytes, as an attachment of its media type")
                .description("""
                        The key and url come from a Python step's `artifacts`. The body is the file exactly as the code \
                        wrote it (or the figure as PNG), with `Content-Disposition: attachment` and \
                        `X-Content-Type-Options: nosniff`; HTML and SVG also carry `Content-Security-Policy: sandbox`: \
                        they are user-made content. 404 once the artifact expired (CACHE_TTL_HOURS) or was evicted \
                        (ARTIFACTS_MAX_BYTES).""")
                .pathParam("key", "The artifact's key", key)
                .response(200, "The artifact's bytes",
                        new ApiContent("application/octet-stream", SchemaRef.inline("{\"type\": \"string\", \"format\": \"binary\"}")))
                .errors(ErrorType.VALIDATION_ERROR, ErrorType.NOT_FOUND).build(), this::download);
        api.add(ApiOperation.delete("/artifacts/{key}").tag(ARTIFACTS)
                .summary("Drop an artifact")
                .pathParam("key", "The artifact's key", key)
                .response(204, "Dropped")
                .errors(ErrorType.VALIDATION_ERROR, ErrorType.NOT_FOUND).build(), this::delete);
    }

    void download(Context ctx) throws IOException {
        String key = ctx.pathParam("key");
        ArtifactMeta meta = store.get(key);
        try (InputStream in = store.open(key)) {
            ctx.contentType(meta.mediaType());
            // The name passed the runner's and the agent's safe-name rules: no quote, separator or control character.
            ctx.header("Content-Disposition", "attachment; filename=\"" + meta.name() + "\"");
            ctx.header("X-Content-Type-Options", "nosniff");
            if (ACTIVE_TYPES.contains(meta.mediaType())) {
                ctx.header("Content-Security-Policy", "sandbox");
            }
            BodyStream.send(ctx, in::transferTo);
        }
    }

    void delete(Context ctx) {
        String key = ctx.pathParam("key");
        if (!store.delete(key)) {
            throw AgentException.notFound("No artifact with key '" + key + "'");
        }
        ctx.status(204);
    }
}
