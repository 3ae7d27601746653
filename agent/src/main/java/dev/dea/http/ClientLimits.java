package dev.dea.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.config.HttpLimits;
import dev.dea.error.ErrorType;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests in flight, per remote address and in all, counted in front of Javalin: a request
 * beyond MAX_REQUESTS_PER_CLIENT or MAX_CONCURRENT_REQUESTS is answered 429 at once, before
 * a servlet thread is given to it and before its body is read, so clients that trickle bodies
 * cannot take every thread of the pool (the thread pool is sized above the total, see
 * {@link HttpLimits#serverThreads()}). The exempt paths ({@code /health}) are not counted:
 * they must answer while everything else is saturated. A request counts until its response
 * is complete. Methods outside {@link #KNOWN_METHODS} are refused first, with 405.
 */
final class ClientLimits extends Handler.Wrapper {
    /** A slot frees as soon as any request of the client completes; one second is a fair first retry. */
    static final int RETRY_AFTER_SECONDS = 1;
    /**
     * The methods Javalin knows by name. It keeps every other method name it sees in a static map
     * for the life of the process, so a client inventing names would grow the heap before it even
     * authenticates: those are refused here.
     */
    private static final Set<String> KNOWN_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "QUERY");

    private final int perClient;
    private final int total;
    private final Set<String> exemptPaths;
    private final ObjectMapper mapper;
    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger all = new AtomicInteger();

    ClientLimits(HttpLimits limits, Set<String> exemptPaths, ObjectMapper mapper) {
        this.perClient = limits.maxRequestsPerClient();
        this.total = limits.maxConcurrentRequests();
        this.exemptPaths = Set.copyOf(exemptPaths);
        this.mapper = mapper;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!KNOWN_METHODS.contains(request.getMethod())) {
            refuse(response, callback, ErrorType.METHOD_NOT_ALLOWED, "HTTP method '"
                    + request.getMethod().substring(0, Math.min(20, request.getMethod().length()))
                    + "' is not one this agent answers", Map.of());
            return true;
        }
        if (exemptPaths.contains(Request.getPathInContext(request))) {
            return super.handle(request, response, callback);
        }
        String client = Request.getRemoteAddr(request);
        String refusal = acquire(client);
        if (refusal != null) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, String.valueOf(RETRY_AFTER_SECONDS));
            refuse(response, callback, ErrorType.TOO_MANY_REQUESTS, refusal,
                    Map.<String, Object>of("retry_after_seconds", RETRY_AFTER_SECONDS));
            return true;
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                release(client);
            }
        };
        boolean handled;
        try {
            handled = super.handle(request, response, Callback.from(callback, release));
        } catch (Throwable t) {
            release.run();
            throw t;
        }
        if (!handled) {
            release.run();
        }
        return handled;
    }

    /** Null when admitted, else why not. */
    private String acquire(String client) {
        if (all.incrementAndGet() > total) {
            all.decrementAndGet();
            return "The agent has " + total + " requests in flight (MAX_CONCURRENT_REQUESTS); retry shortly";
        }
        boolean[] admitted = {false};
        inFlight.compute(client, (k, n) -> {
            int count = n == null ? 0 : n;
            if (count >= perClient) {
                return n;
            }
            admitted[0] = true;
            return count + 1;
        });
        if (!admitted[0]) {
            all.decrementAndGet();
            return "This address has " + perClient + " requests in flight (MAX_REQUESTS_PER_CLIENT); "
                    + "wait for one to finish";
        }
        return null;
    }

    private void release(String client) {
        inFlight.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
        all.decrementAndGet();
    }

    /** Requests in flight now; for tests. */
    int inFlight() {
        return all.get();
    }

    private void refuse(Response response, Callback callback, ErrorType type, String message,
                        Map<String, Object> details) throws Exception {
        byte[] body = mapper.writeValueAsBytes(ErrorRenderer.body(type, message, details));
        response.setStatus(type.httpStatus());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        // The body is not read: the connection cannot carry another request after it.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.getHeaders().put(RequestIds.HEADER, UUID.randomUUID().toString());
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
