package dev.dea.http;

import dev.dea.cache.FrameMeta;
import dev.dea.error.ErrorType;
import dev.dea.openapi.ApiContent;
import dev.dea.openapi.ApiOperation;
import dev.dea.openapi.SchemaRef;
import dev.dea.upload.UploadOptions;
import dev.dea.upload.Uploads;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** POST /frames: a file uploaded as a frame that later steps chain on. */
final class UploadRoutes {
    private final Uploads uploads;
    private final FrameRoutes frames;

    UploadRoutes(Uploads uploads, FrameRoutes frames) {
        this.uploads = uploads;
        this.frames = frames;
    }

    void register(ApiRoutes api) {
        SchemaRef text = SchemaRef.inline("{\"type\": \"string\"}");
        api.add(ApiOperation.post("/frames").tag(FrameRoutes.FRAMES)
                .summary("Upload a CSV, TSV, JSON Lines, Arrow IPC stream or xlsx file as a frame")
                .description("""
                        The body is the file, with its Content-Type: text/csv, text/tab-separated-values, \
                        application/x-ndjson (or application/jsonl), application/vnd.apache.arrow.stream or \
                        application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; or multipart/form-data \
                        with the file in the part `file` (its file name's extension, else its content type, says \
                        the format). At most UPLOAD_MAX_BYTES (413 beyond). Column kinds are inferred as \
                        docs/frame-format.md, "Uploads", says; `types` overrides them. A malformed file is a 400 \
                        naming the row and column (`detail.row`, `detail.column`, `detail.column_name`) and caches \
                        nothing. The answer is GET /frames/{key}'s, with `Location: /frames/{key}`; the frame's \
                        provenance kind is `upload`.""")
                .queryParam("name", "Recorded as the frame's provenance source, e.g. the file name "
                        + "(default: the multipart file name)", text)
                .queryParam("types", "Per-column kinds instead of the inferred ones: `id:int64,price:decimal,day:date`; "
                        + "kinds int64, float64, decimal, bool, string, date, timestamp, timestamptz, time, json, bytes", text)
                .queryParam("header", "CSV/TSV: whether the first line names the columns (else column_1, column_2, ...)",
                        SchemaRef.inline("{\"type\": \"boolean\", \"default\": true}"))
                .queryParam("sheet", "xlsx: the sheet's name or 1-based number (default: the first)", text)
                .response(201, "The new frame's description, as GET /frames/{key} gives it",
                        ApiContent.json(SchemaRef.of(FrameDescription.class)))
                .errors(ErrorType.VALIDATION_ERROR, ErrorType.PAYLOAD_TOO_LARGE, ErrorType.UNSUPPORTED_MEDIA_TYPE,
                        ErrorType.RESULT_TOO_LARGE).build(), this::upload);
    }

    void upload(Context ctx) throws IOException {
        UploadOptions options = UploadOptions.parse(ctx.queryParam("name"), ctx.queryParam("types"),
                ctx.queryParam("header"), ctx.queryParam("sheet"));
        FrameMeta meta;
        try (InputStream body = JsonBodies.stream(ctx)) {
            meta = uploads.upload(body, ctx.req().getContentLengthLong(), ctx.header("Content-Type"), options,
                    Optional.of(RequestIds.of(ctx)));
        }
        ctx.status(201).header("Location", "/frames/" + meta.key()).json(frames.description(meta));
    }
}
