package dev.dea.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dea.execute.StepProgress;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A tool call whose client sent a {@code progressToken}: the answer becomes a
 * {@code text/event-stream} (streamable HTTP allows it for any POST), carrying
 * {@code notifications/progress} messages while the tool runs and then the JSON-RPC response
 * as its last event. The SDK's stateless transport writes that response as one JSON body;
 * {@link #response()} catches it, {@link #finish()} sends it as the final event.
 */
final class ProgressStream implements StepProgress {
    /** Rows are reported at most this often: a notification per fetch batch would flood the client. */
    static final long INTERVAL_MILLIS = 500;

    private final HttpServletResponse real;
    private final ObjectMapper mapper;
    private final Object token;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private long progress;
    private long lastRowsNanos;
    private boolean opened;

    ProgressStream(HttpServletResponse real, ObjectMapper mapper, Object token) {
        this.real = real;
        this.mapper = mapper;
        this.token = token;
    }

    @Override
    public synchronized void rowsFetched(long rows) {
        long now = System.nanoTime();
        if (now - lastRowsNanos >= INTERVAL_MILLIS * 1_000_000) {
            lastRowsNanos = now;
            notify(rows + " rows fetched");
        }
    }

    @Override
    public boolean wantsOutput() {
        return true;
    }

    @Override
    public synchronized void output(String stream, String line) {
        notify(stream + ": " + line);
    }

    /** The response the SDK writes into: status and headers pass, the body is kept for {@link #finish}. */
    HttpServletResponse response() {
        return new HttpServletResponseWrapper(real) {
            private final ServletOutputStream out = ServletExchange.into(body);
            private final PrintWriter writer = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);

            @Override
            public ServletOutputStream getOutputStream() {
                return out;
            }

            @Override
            public PrintWriter getWriter() {
                return writer;
            }

            @Override
            public void setContentType(String type) {
                // The stream's own type stays once opened.
                if (!opened) {
                    super.setContentType(type);
                }
            }

            @Override
            public void setContentLength(int len) {
            }

            @Override
            public void setContentLengthLong(long len) {
            }

            @Override
            public void flushBuffer() {
            }
        };
    }

    /** Sends what the SDK answered: as the last event if the stream was opened, else as the plain body it is. */
    synchronized void finish() {
        try {
            byte[] answer = body.toByteArray();
            if (!opened) {
                if (answer.length > 0) {
                    real.getOutputStream().write(answer);
                }
                return;
            }
            if (answer.length > 0) {
                writeEvent(new String(answer, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void notify(String message) {
        ObjectNode n = mapper.createObjectNode();
        n.put("jsonrpc", "2.0");
        n.put("method", "notifications/progress");
        ObjectNode params = n.putObject("params");
        params.set("progressToken", mapper.valueToTree(token));
        params.put("progress", ++progress);
        params.put("message", message.length() > 1_000 ? message.substring(0, 1_000) + "…" : message);
        try {
            if (!opened) {
                opened = true;
                real.setStatus(200);
                real.setContentType("text/event-stream");
                real.setCharacterEncoding("UTF-8");
                real.setHeader("Cache-Control", "no-store");
            }
            writeEvent(mapper.writeValueAsString(n));
        } catch (IOException e) {
            // The client went away: the call goes on and its answer is lost, as for any closed connection.
            opened = true;
        }
    }

    private void writeEvent(String json) throws IOException {
        OutputStream out = real.getOutputStream();
        out.write(("event: message\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
