package dev.dea.http;

import dev.dea.cache.FrameCache;
import dev.dea.arrow.ArrowExport;
import dev.dea.cache.FrameListing;
import dev.dea.cache.FrameMeta;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.execute.ExecutionResult;
import dev.dea.openapi.ApiContent;
import dev.dea.openapi.ApiOperation;
import dev.dea.openapi.ApiTag;
import dev.dea.openapi.SchemaRef;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;

/** Cached frames: metadata with a preview, streamed exports, deletion. */
final class FrameRoutes {
    static final ApiTag FRAMES = new ApiTag("frames",
            "Cached results, by the cache_key a step returned: describe, export, drop; uploaded files as frames.");
    private static final int DEFAULT_PREVIEW_ROWS = 100;

    private final FrameCache cache;
    private final int maxPreview;

    /** {@code maxPreview} is PREVIEW_MAX_ROWS. */
    FrameRoutes(FrameCache cache, int maxPreview) {
        this.cache = cache;
        this.maxPreview = maxPreview;
    }

    void register(ApiRoutes api) {
        SchemaRef key = SchemaRef.inline("{\"type\": \"string\", \"description\": \"the cache_key of a result\"}");
        api.add(ApiOperation.get("/frames").tag(FRAMES)
                .summary("The cached frames, most recently used first, with provenance, size and expiry")
                .description("Listing uses no frame: the LRU order and the expiry stay as they were. A frame's code shows "
                        + "as its first line; GET /frames/{key} has all of it. Page with `cursor` = the previous page's "
                        + "`next_cursor`.")
                .queryParam("kind", "What produced the frame: sql, python, upload (POST /frames) or inline (input_data of a request)", SchemaRef.inline(
                        "{\"type\": \"string\", \"enum\": [\"sql\", \"python\", \"upload\", \"inline\"]}"))
                .queryParam("parent", "Only frames computed from this cache key", key)
                .queryParam("limit", "Page size", SchemaRef.inline("{\"type\": \"integer\", \"minimum\": 1, \"maximum\": "
                        + FrameListing.MAX_LIMIT + ", \"default\": " + FrameListing.DEFAULT_LIMIT + "}"))
                .queryParam("cursor", "The previous page's next_cursor", SchemaRef.inline("{\"type\": \"string\"}"))
                .ok("One page of frames", SchemaRef.of(FrameListing.Page.class))
                .errors(ErrorType.VALIDATION_ERROR).build(), this::list);
        api.add(ApiOperation.get("/frames/{key}").tag(FRAMES)
                .summary("A cached frame's schema, stats, provenance and a preview")
                .pathParam("key", "The frame's cache key", key)
                .queryParam("preview_rows", "Rows in `data`", SchemaRef.inline(
                        "{\"type\": \"integer\", \"minimum\": 0, \"maximum\": %d, \"default\": %d}"
                                .formatted(maxPreview, Math.min(DEFAULT_PREVIEW_ROWS, maxPreview))))
                .ok("The frame's description", SchemaRef.of(FrameDescription.class))
                .errors(ErrorType.VALIDATION_ERROR, ErrorType.NOT_FOUND).build(), this::describe);
        api.add(ApiOperation.get("/frames/{key}/data").tag(FRAMES)
                .summary("The whole frame, streamed as JSON, CSV or Apache Arrow")
                .description("""
                        Values in the frame encoding of docs/frame-format.md; CSV comes as an attachment. `arrow` is an \
                        Apache Arrow IPC stream (stream format, record batches of bounded size) with the column types of \
                        docs/frame-format.md, "Arrow".""")
                .pathParam("key", "The frame's cache key", key)
                .queryParam("format", "json (default), csv or arrow",
                        SchemaRef.inline("{\"type\": \"string\", \"enum\": [\"json\", \"csv\", \"arrow\"], \"default\": \"json\"}"))
                .response(200, "Every row of the frame",
                        ApiContent.json(SchemaRef.of(ExecutionResult.Data.class)),
                        new ApiContent("text/csv", SchemaRef.inline("{\"type\": \"string\"}")),
                        new ApiContent(ArrowExport.CONTENT_TYPE,
                                SchemaRef.inline("{\"type\": \"string\", \"contentMediaType\": \"%s\"}"
                                        .formatted(ArrowExport.CONTENT_TYPE))))
                .errors(ErrorType.VALIDATION_ERROR, ErrorType.NOT_FOUND).build(), this::data);
        api.add(ApiOperation.delete("/frames/{key}").tag(FRAMES)
                .summary("Drop a cached frame")
                .pathParam("key", "The frame's cache key", key)
                .response(204, "Dropped")
                .errors(ErrorType.VALIDATION_ERROR, ErrorType.NOT_FOUND).build(), this::delete);
    }

    void list(Context ctx) {
        ctx.json(cache.list(FrameListing.Query.parse(ctx.queryParam("kind"), ctx.queryParam("parent"),
                ctx.queryParam("limit"), ctx.queryParam("cursor"))));
    }

    void describe(Context ctx) {
        String key = ctx.pathParam("key");
        FrameMeta meta = cache.get(key);
        int preview = intQuery(ctx, "preview_rows", 0, maxPreview, Math.min(DEFAULT_PREVIEW_ROWS, maxPreview));
        ctx.json(FrameDescription.of(meta, cache.previewRows(key, preview)));
    }

    void data(Context ctx) throws IOException {
        String key = ctx.pathParam("key");
        String format = ctx.queryParam("format") == null ? "json" : ctx.queryParam("format");
        FrameMeta meta = cache.get(key);
        switch (format) {
            case "json" -> {
                ctx.contentType("application/json");
                BodyStream.send(ctx, out -> cache.writeJson(key, out));
            }
            case "csv" -> {
                ctx.contentType("text/csv; charset=utf-8");
                ctx.header("Content-Disposition", "attachment; filename=\"" + key + ".csv\"");
                BodyStream.send(ctx, out -> cache.writeCsv(key, out));
            }
            case "arrow" -> {
                ctx.contentType(ArrowExport.CONTENT_TYPE);
                ctx.header("Content-Disposition", "attachment; filename=\"" + key + ".arrows\"");
                try (InputStream rows = cache.openRows(key)) {
                    BodyStream.send(ctx, out -> ArrowExport.write(meta, rows, out));
                }
            }
            default -> throw AgentException.validation(
                    "Query parameter 'format' must be one of json, csv, arrow; got '" + format + "'");
        }
    }

    void delete(Context ctx) {
        String key = ctx.pathParam("key");
        if (!cache.delete(key)) {
            throw AgentException.notFound("No cached frame with key '" + key + "'");
        }
        ctx.status(204);
    }

    /** The description GET /frames/{key} answers, with its default preview: also the answer to an upload. */
    FrameDescription description(FrameMeta meta) {
        return FrameDescription.of(meta, cache.previewRows(meta.key(), Math.min(DEFAULT_PREVIEW_ROWS, maxPreview)));
    }

    static int intQuery(Context ctx, String name, int min, int max, int def) {
        String raw = ctx.queryParam(name);
        if (raw == null || raw.isBlank()) {
            return def;
        }
        try {
            int v = Integer.parseInt(raw.strip());
            if (v < min || v > max) {
                throw AgentException.validation("Query parameter '" + name + "' must be between " + min + " and " + max + ", got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw AgentException.validation("Query parameter '" + name + "' must be an integer, got '" + raw + "'");
        }
    }
}
