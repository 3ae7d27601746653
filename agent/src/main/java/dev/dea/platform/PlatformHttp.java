package dev.dea.platform;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.dea.frame.FrameJson;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One POST to the platform, authenticated with the agent's token, turned into an
 * {@link Outcome} that never throws for a network problem; every error text is redacted
 * (no token, no control characters, bounded length) before it can reach a log or a status.
 *
 * <p>{@link HttpRequest#timeout} ends once the headers arrived, so the body is never read
 * whole: a platform (or a man in the middle on plain http) sending an endless body would
 * otherwise hang the heartbeats or exhaust the heap. A success body is not read at all; of
 * an error body only a bounded prefix, and only until the post's deadline.
 */
final class PlatformHttp {
    private static final int MAX_ERROR_CHARS = 300;
    /** Far more than the {@value #MAX_ERROR_CHARS} characters an error keeps, leaving slack for whitespace stripped in front. */
    static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

    /** One HTTP exchange: status -1 when no answer came (timeout, connection error). */
    record Outcome(int status, Optional<String> retryAfter, String error) {
        boolean success() {
            return status >= 200 && status < 300;
        }
    }

    private final RegistrationSpec spec;
    private final Duration connectTimeout;
    private final HttpClient http;
    private final ObjectMapper mapper;
    private final String userAgent;

    PlatformHttp(RegistrationSpec spec, Duration connectTimeout) {
        this.spec = spec;
        this.connectTimeout = connectTimeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        ObjectMapper m = FrameJson.newMapper();
        m.registerModule(new JavaTimeModule());
        m.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        this.mapper = m;
        this.userAgent = "data-execution-agent/" + spec.version();
    }

    /** Stops the client's connections and threads; a post in flight then fails as a connection error. */
    void shutdownNow() {
        http.shutdownNow();
    }

    /** Returns within about {@code timeout} (plus the connect timeout), whatever the platform sends. */
    Outcome post(URI url, Map<String, Object> body, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(body);
        } catch (IOException e) {
            // An unserialisable health value must not stop the heartbeats.
            Map<String, Object> fallback = new LinkedHashMap<>(body);
            fallback.put("health", Map.of("status", "unknown", "error", "health not serialisable"));
            try {
                json = mapper.writeValueAsBytes(fallback);
            } catch (IOException again) {
                return new Outcome(-1, Optional.empty(), "cannot serialise request body");
            }
        }
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("Authorization", "Bearer " + spec.token())
                .header("X-Agent-Id", spec.agentId())
                .header("User-Agent", userAgent)
                .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                .build();
        try {
            HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            String error;
            try {
                error = r.statusCode() >= 200 && r.statusCode() < 300 ? ""
                        : "HTTP " + r.statusCode() + snippet(errorBody(r.body(), deadline));
            } finally {
                closeQuietly(r.body());
            }
            return new Outcome(r.statusCode(), r.headers().firstValue("Retry-After"), redact(error));
        } catch (HttpConnectTimeoutException e) {
            return new Outcome(-1, Optional.empty(), "connect timeout after " + connectTimeout.toMillis() + " ms");
        } catch (HttpTimeoutException e) {
            return new Outcome(-1, Optional.empty(), "no answer within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return new Outcome(-1, Optional.empty(), redact("connection error: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage())));
        }
    }

    /**
     * Up to {@link #MAX_ERROR_BODY_BYTES} of {@code in}, as much as arrives before {@code deadline}
     * (System.nanoTime). The read runs on its own thread because a stalled body blocks it; the
     * caller's closing the stream ends that read.
     */
    private String errorBody(InputStream in, long deadline) throws InterruptedException {
        ByteArrayOutputStream prefix = new ByteArrayOutputStream();
        AtomicBoolean whole = new AtomicBoolean();
        Thread reader = Thread.ofVirtual().name("platform-error-body").start(() -> {
            byte[] buffer = new byte[8192];
            try {
                while (prefix.size() < MAX_ERROR_BODY_BYTES) {
                    int n = in.read(buffer, 0, Math.min(buffer.length, MAX_ERROR_BODY_BYTES - prefix.size()));
                    if (n < 0) {
                        whole.set(true);
                        return;
                    }
                    prefix.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // Closed at the deadline or a broken connection: what arrived still makes a snippet.
            }
        });
        reader.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        // Read before the bytes: once set, every byte is in the prefix.
        boolean complete = whole.get();
        String text = new String(prefix.toByteArray(), StandardCharsets.UTF_8);
        int tokenTail = spec.token().length() - 1;
        if (!complete && tokenTail > 0) {
            // A token cut at the end of the prefix would escape redaction: drop where it could start.
            text = text.substring(0, Math.max(0, text.length() - tokenTail));
        }
        return text;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // Only cancels the exchange; the outcome is already decided.
        }
    }

    private static String snippet(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        return ": " + body.strip();
    }

    /** Removes the token, control characters and excess length from a text that may reach logs or status. */
    String redact(String s) {
        String out = s;
        if (!spec.token().isEmpty()) {
            out = out.replace(spec.token(), "<redacted>");
        }
        out = out.replaceAll("\\p{Cntrl}", " ");
        return out.length() > MAX_ERROR_CHARS ? out.substring(0, MAX_ERROR_CHARS) + "..." : out;
    }
}
