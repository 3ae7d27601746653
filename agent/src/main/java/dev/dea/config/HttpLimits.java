package dev.dea.config;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * What one slow or greedy client may hold of the HTTP server. {@code bodyTimeout}: the most a
 * request body may take to arrive in full (408 beyond). {@code maxRequestsPerClient}: requests
 * one remote address may have in flight (429 beyond). {@code maxConcurrentRequests}: requests
 * in flight from everyone together (429 beyond); the server's thread pool is sized above it so
 * that {@code /health}, which neither limit counts, always finds a free thread.
 */
public record HttpLimits(Duration bodyTimeout, int maxRequestsPerClient, int maxConcurrentRequests) {
    /** Threads beyond {@code maxConcurrentRequests}: Jetty's acceptors and selectors, and /health. */
    public static final int RESERVED_THREADS = 32;

    public HttpLimits {
        requireNonNull(bodyTimeout, "bodyTimeout");
        if (maxRequestsPerClient < 1 || maxConcurrentRequests < maxRequestsPerClient) {
            throw new IllegalArgumentException("need 1 <= maxRequestsPerClient <= maxConcurrentRequests");
        }
    }

    public int serverThreads() {
        return maxConcurrentRequests + RESERVED_THREADS;
    }
}
