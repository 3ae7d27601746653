package dev.dea.error;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one builder of the {@code detail} object that callers see for a failure, in the seed's
 * shape {@code {"type", "message", ...the type's fields}}: the HTTP API, the MCP tools and the
 * job records all show this same object. A bug ({@link ErrorType#INTERNAL} or an exception that
 * is not an {@link AgentException}) shows only the request id to look up in the log, since
 * its message may hold paths or driver text that are for the operator.
 */
public final class ErrorDetail {
    private ErrorDetail() {
    }

    /** Whether {@code e} is a bug whose cause belongs in the operator's log, not in the detail. */
    public static boolean isInternal(RuntimeException e) {
        return !(e instanceof AgentException ae) || ae.type() == ErrorType.INTERNAL;
    }

    public static ErrorType typeOf(RuntimeException e) {
        return e instanceof AgentException ae ? ae.type() : ErrorType.INTERNAL;
    }

    /** The detail of {@code e}; an internal failure names {@code requestId} instead of its cause. */
    public static Map<String, Object> of(RuntimeException e, String requestId) {
        if (isInternal(e)) {
            return of(ErrorType.INTERNAL, internalMessage(requestId), Map.of());
        }
        AgentException ae = (AgentException) e;
        return of(ae.type(), ae.getMessage(), ae.details());
    }

    public static Map<String, Object> of(ErrorType type, String message, Map<String, Object> details) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("type", type.name());
        detail.put("message", message);
        detail.putAll(details);
        return Collections.unmodifiableMap(detail);
    }

    public static String internalMessage(String requestId) {
        return "Internal error; see the agent log for request " + requestId;
    }
}
