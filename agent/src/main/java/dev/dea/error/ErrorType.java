package dev.dea.error;

/**
 * Stable, machine-readable error codes. The {@code name()} is the wire value of
 * {@code detail.type}; renaming a constant is a breaking API change.
 */
public enum ErrorType {
    VALIDATION_ERROR(400),
    UNAUTHORIZED(401),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    PAYLOAD_TOO_LARGE(413),
    UNSUPPORTED_MEDIA_TYPE(415),
    SQL_REJECTED(400),
    SQL_ERROR(400),
    TIMEOUT(400),
    RESULT_TOO_LARGE(400),
    /** The sandboxed code raised; details carry the exception type, message and the line in the user's code. */
    EXECUTION_ERROR(400),
    /** The sandbox was killed by the kernel's OOM killer at its memory limit. */
    MEMORY_LIMIT(400),
    /** More executions than the sandbox limits admit; retry after {@code Retry-After} seconds. */
    TOO_MANY_REQUESTS(429),
    /** The request body did not arrive in full within REQUEST_BODY_TIMEOUT_SECONDS; the connection is closed. */
    REQUEST_TIMEOUT(408),
    /** No Docker engine, or no sandbox image; the message says what to do. */
    SANDBOX_UNAVAILABLE(503),
    DB_UNAVAILABLE(503),
    /** The agent stopped (a restart, a crash) while a job was queued or running; the job is not resumed: submit it again. */
    AGENT_STOPPED(503),
    /** The agent's own disk (CACHE_DIR) refuses what a request must write first, e.g. a job's record. */
    STORAGE_UNAVAILABLE(503),
    /** The caller cancelled the step while it ran (an MCP client's notifications/cancelled); it was stopped. */
    CANCELLED(409),
    INTERNAL(500);

    private final int httpStatus;

    ErrorType(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
