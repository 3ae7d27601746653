package dev.dea.config;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * What one slow or greedy client may hold of the HTTP server. {@code bodyTimeout}: the most a
 * request body may take to arrive in full (408 beyond). {@code maxRequestsPerClient}: requests
 * one remote address may have in flight (429 beyond). {@code maxConcurrentRequests}: requests
 * in flight from everyone together (429 beyond); the server's thread pool is sized above it so
 * that {@code /health}, which neither limit counts, always finds a free thread.
 * {@code uploadMaxBytes}: the largest file POST /frames takes (413 beyond), UPLOAD_MAX_BYTES.
 */
public record HttpLimits(Duration bodyTimeout, int maxRequestsPerClient, int maxConcurrentRequests,
                         long uploadMaxBytes) {
    /** UPLOAD_MAX_BYTES when not configured: the largest file POST /frames takes. */
    public static final long DEFAULT_UPLOAD_MAX_BYTES = 100L << 20;

    /** Threads beyond {@code maxConcurrentRequests}: Jetty's acceptors and selectors, and /health. */
    public static final int RESERVED_THREADS = 32;

    public HttpLimits {
        requireNonNull(bodyTimeout, "bodyTimeout");
        if (maxRequestsPerClient < 1 || maxConcurrentRequests < maxRequestsPerClient) {
            throw new IllegalArgumentException("need 1 <= maxRequestsPerClient <= maxConcurrentRequests");
        }
        if (uploadMaxBytes < 1) {
            throw new IllegalArgumentException("uploadMaxBytes must be positive");
        }
    }

    public HttpLimits(Duration bodyTimeout, int maxRequestsPerClient, int maxConcurrentRequests) {
        this(bodyTimeout, maxRequestsPerClient, maxConcurrentRequests, DEFAULT_UPLOAD_MAX_BYTES);
    }

    public int serverThreads() {
        return maxConcurrentRequests + RESERVED_THREADS;
    }
}
