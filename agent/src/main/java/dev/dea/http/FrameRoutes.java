package dev.dea.http;

import dev.dea.Services;
import dev.dea.cache.FrameMeta;
import dev.dea.error.AgentException;
import dev.dea.execute.ResultColumn;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** Cached frames: metadata with a preview, streamed exports, deletion. */
final class FrameRoutes {
    private static final int DEFAULT_PREVIEW_ROWS = 100;

    private final Services services;

    FrameRoutes(Services services) {
        this.services = services;
    }

    void describe(Context ctx) {
        String key = ctx.pathParam("key");
        FrameMeta meta = services.cache().get(key);
        int maxPreview = services.config().sql().maxPreviewRows();
        int preview = intQuery(ctx, "preview_rows", 0, maxPreview, Math.min(DEFAULT_PREVIEW_ROWS, maxPreview));
        var rows = services.cache().previewRows(key, preview);
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("kind", meta.provenance().kind());
        provenance.put("source", meta.provenance().source());
        provenance.put("parent_keys", meta.provenance().parentKeys());
        meta.provenance().requestId().ifPresent(id -> provenance.put("request_id", id));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("cache_key", meta.key());
        body.put("row_count", meta.rowCount());
        body.put("bytes", meta.bytes());
        body.put("max_rows_reached", meta.truncated());
        body.put("created_at", meta.createdAt().toString());
        body.put("provenance", provenance);
        body.put("result_schema", meta.columns().stream().map(ResultColumn::of).toList());
        body.put("data", Map.of("columns", meta.columns().stream().map(c -> c.name()).toList(), "rows", rows));
        body.put("truncated", rows.size() < meta.rowCount());
        ctx.json(body);
    }

    void data(Context ctx) throws IOException {
        String key = ctx.pathParam("key");
        String format = ctx.queryParam("format") == null ? "json" : ctx.queryParam("format");
        services.cache().get(key);
        switch (format) {
            case "json" -> {
                ctx.contentType("application/json");
                try (OutputStream out = ctx.outputStream()) {
                    services.cache().writeJson(key, out);
                }
            }
            case "csv" -> {
                ctx.contentType("text/csv; charset=utf-8");
                ctx.header("Content-Disposition", "attachment; filename=\"" + key + ".csv\"");
                try (OutputStream out = ctx.outputStream()) {
                    services.cache().writeCsv(key, out);
                }
            }
            default -> throw AgentException.validation("Query parameter 'format' must be 'csv' or 'json', got '" + format + "'");
        }
    }

    void delete(Context ctx) {
        String key = ctx.pathParam("key");
        if (!services.cache().delete(key)) {
            throw AgentException.notFound("No cached frame with key '" + key + "'");
        }
        ctx.status(204);
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
