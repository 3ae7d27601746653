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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A tool call whose client sent a {@code progressToken}: the answer becomes a
 * {@code text/event-stream} (streamable HTTP allows it for any POST), carrying
 * {@code notifications/progress} messages while the tool runs and then the JSON-RPC response
 * as its last event. The SDK's stateless transport writes that response as one JSON body;
 * {@link #response()} catches it, {@link #finish()} sends it as the final event.
 *
 * <p>Notifications are written by a thread of their own from a bounded queue: the step that
 * reports them (a sandbox's output, a query's rows) must not wait for a client that reads
 * slowly or not at all, and holds its slot only as long as it runs. What does not fit the queue
 * is dropped: progress is best effort, the final answer is not.
 */
final class ProgressStream implements StepProgress {
    /** Rows are reported at most this often: a notification per fetch batch would flood the client. */
    static final long INTERVAL_MILLIS = 500;

    private final HttpServletResponse real;
    private final ObjectMapper mapper;
    private final Object token;
    /** Notifications waiting for the writer: about a megabyte at most (each message is cut to 1,000 characters). */
    static final int MAX_PENDING = 512;
    /** Compared by identity: no notification is this object. */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String END = new String("end of progress");

    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final BlockingQueue<String> pending = new ArrayBlockingQueue<>(MAX_PENDING + 1);
    private long progress;
    private long lastRowsNanos;
    private boolean opened;
    private Thread writer;
    private long dropped;

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
            if (writer != null) {
                // The queue keeps one place free for the end: the answer goes out after every queued notification.
                pending.add(END);
                writer.join();
            }
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
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted while sending progress"));
        }
    }

    /** Notifications dropped because the client read slower than they came (tests). */
    synchronized long dropped() {
        return dropped;
    }

    private void notify(String message) {
        ObjectNode n = mapper.createObjectNode();
        n.put("jsonrpc", "2.0");
        n.put("method", "notifications/progress");
        ObjectNode params = n.putObject("params");
        params.set("progressToken", mapper.valueToTree(token));
        params.put("progress", ++progress);
        params.put("message", message.length() > 1_000 ? message.substring(0, 1_000) + "…" : message);
        if (!opened) {
            opened = true;
            real.setStatus(200);
            real.setContentType("text/event-stream");
            real.setCharacterEncoding("UTF-8");
            real.setHeader("Cache-Control", "no-store");
            writer = Thread.ofVirtual().name("mcp-progress").start(this::drain);
        }
        String json;
        try {
            json = mapper.writeValueAsString(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // One place stays free for the end (finish).
        if (pending.remainingCapacity() <= 1 || !pending.offer(json)) {
            dropped++;
        }
    }

    /** The writer: queued notifications in order until the end; after a failed write only discards them. */
    private void drain() {
        boolean failed = false;
        while (true) {
            String json;
            try {
                json = pending.take();
            } catch (InterruptedException e) {
                return;
            }
            if (json == END) {
                return;
            }
            if (!failed) {
                try {
                    writeEvent(json);
                } catch (IOException e) {
                    // The client went away: the call goes on and its answer is lost, as for any closed connection.
                    failed = true;
                }
            }
        }
    }

    private void writeEvent(String json) throws IOException {
        OutputStream out = real.getOutputStream();
        out.write(("event: message\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
