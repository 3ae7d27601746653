package dev.dea.error;

import java.util.LinkedHashMap;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The one exception type that crosses service boundaries. Everything a caller may
 * see is described by its {@link ErrorType}, a human message, and optional
 * machine-readable details (e.g. the guard rule, a SQL position). Messages must
 * never contain secrets or row data.
 */
public class AgentException extends RuntimeException {
    private final ErrorType type;
    private final Map<String, Object> details;

    public AgentException(ErrorType type, String message) {
        this(type, message, Map.of(), null);
    }

    public AgentException(ErrorType type, String message, Map<String, Object> details, Throwable cause) {
        super(requireNonNull(message, "message"), cause);
        this.type = requireNonNull(type, "type");
        this.details = Map.copyOf(new LinkedHashMap<>(requireNonNull(details, "details")));
    }

    public ErrorType type() {
        return type;
    }

    /** Extra fields rendered next to {@code type} and {@code message} in {@code detail}. */
    public Map<String, Object> details() {
        return details;
    }

    public static AgentException validation(String message) {
        return new AgentException(ErrorType.VALIDATION_ERROR, message);
    }

    public static AgentException notFound(String message) {
        return new AgentException(ErrorType.NOT_FOUND, message);
    }

    public static AgentException internal(String message, Throwable cause) {
        return new AgentException(ErrorType.INTERNAL, message, Map.of(), cause);
    }
}
