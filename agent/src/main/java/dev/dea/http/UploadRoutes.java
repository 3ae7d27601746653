package dev.dea.http;

import dev.dea.cache.FrameMeta;
import dev.dea.cache.FramePin;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.openapi.ApiContent;
import dev.dea.openapi.ApiOperation;
import dev.dea.openapi.SchemaRef;
import dev.dea.upload.UploadOptions;
import dev.dea.upload.Uploads;
import io.javalin.http.Context;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;

/** POST /frames: a file uploaded as a frame that later steps chain on. */
final class UploadRoutes {
    private final Uploads uploads;
    private final FrameRoutes frames;
    private final Duration bodyTimeout;

    /** {@code bodyTimeout}: REQUEST_BODY_TIMEOUT_SECONDS, which bounds an upload's arrival like any body's. */
    UploadRoutes(Uploads uploads, FrameRoutes frames, Duration bodyTimeout) {
        this.uploads = uploads;
        this.frames = frames;
        this.bodyTimeout = bodyTimeout;
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
                .body(Uploads.MEDIA_TYPES.stream().map(type -> new ApiContent(type, type.startsWith("multipart/")
                        ? SchemaRef.inline("{\"type\": \"object\", \"required\": [\"file\"], \"properties\": "
                                + "{\"file\": {\"type\": \"string\", \"contentMediaType\": \"application/octet-stream\"}}}")
                        : SchemaRef.inline("{\"type\": \"string\", \"contentMediaType\": \"" + type + "\"}")))
                        .toArray(ApiContent[]::new))
                .response(201, "The new frame's description, as GET /frames/{key} gives it",
                        ApiContent.json(SchemaRef.of(FrameDescription.class)))
                .errors(ErrorType.VALIDATION_ERROR, ErrorType.PAYLOAD_TOO_LARGE, ErrorType.UNSUPPORTED_MEDIA_TYPE,
                        ErrorType.RESULT_TOO_LARGE, ErrorType.REQUEST_TIMEOUT).build(), this::upload);
    }

    void upload(Context ctx) throws IOException {
        UploadOptions options = UploadOptions.parse(ctx.queryParam("name"), ctx.queryParam("types"),
                ctx.queryParam("header"), ctx.queryParam("sheet"));
        FramePin pin;
        BodyDeadline deadline = BodyDeadline.start(ctx.req(), bodyTimeout);
        try (deadline; InputStream body = new Arrival(JsonBodies.stream(ctx), deadline)) {
            try {
                pin = uploads.upload(body, ctx.req().getContentLengthLong(), ctx.header("Content-Type"), options,
                        RequestIds.of(ctx), ctx.ip());
            } catch (AgentException e) {
                if (e.type() == ErrorType.PAYLOAD_TOO_LARGE) {
                    drainQuietly(body);
                }
                throw e;
            }
        }
        try (pin) {
            FrameMeta meta = pin.meta();
            ctx.status(201).header("Location", "/frames/" + meta.key()).json(frames.description(meta));
        }
    }

    /** A failed drain only means the client sees a reset instead of the 413 already decided. */
    private static void drainQuietly(InputStream body) {
        try {
            JsonBodies.drain(body);
        } catch (IOException | RuntimeException e) {
            // the answer stays the 413
        }
    }

    /**
     * The body stream under its deadline. The deadline ends with the body's last byte, not with
     * the parse after it (a large file takes a while to read twice); a read that fails is the
     * caller's connection, answered 408 when the deadline cut it, else 400, never a 500.
     */
    private final class Arrival extends FilterInputStream {
        private final BodyDeadline deadline;

        Arrival(InputStream in, BodyDeadline deadline) {
            super(in);
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            try {
                int n = super.read(b, off, len);
                if (n < 0) {
                    deadline.close();
                }
                return n;
            } catch (IOException e) {
                if (deadline.expired()) {
                    throw new AgentException(ErrorType.REQUEST_TIMEOUT, "The upload did not arrive within "
                            + bodyTimeout.toSeconds() + " s (REQUEST_BODY_TIMEOUT_SECONDS); the connection is closed");
                }
                throw AgentException.validation("The request body could not be read: " + e.getMessage());
            }
        }
    }
}
