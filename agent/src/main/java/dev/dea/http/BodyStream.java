package dev.dea.http;

import io.javalin.http.Context;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a streamed response body (a frame's rows, an artifact). The stream is closed only
 * when the whole body was written: closing it after a failure would end the response cleanly
 * (the last chunk, or the announced length reached), passing a truncated file off as complete.
 * A failure propagates instead, and {@link ErrorRenderer} aborts the connection once part of
 * the body is out, so the client sees an incomplete response.
 */
final class BodyStream {
    @FunctionalInterface
    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private BodyStream() {
    }

    static void send(Context ctx, Writer body) throws IOException {
        OutputStream out = ctx.outputStream();
        body.write(out);
        out.close();
    }
}
