package dev.dea.error;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

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

    /**
     * A request names {@code what}s (fields, query parameters, tool arguments) that {@code where}
     * does not take: silently ignoring a misspelled one would surface much later as a stranger
     * error, so the caller is told which names are wrong and which are accepted.
     */
    public static AgentException unknownNames(String what, String where, Collection<String> unknown,
                                              Collection<String> accepted) {
        List<String> wrong = List.copyOf(new TreeSet<>(unknown));
        List<String> known = List.copyOf(new TreeSet<>(accepted));
        String names = wrong.stream().map(n -> "'" + abbreviate(n) + "'").collect(Collectors.joining(", "));
        String message = "Unknown " + what + (wrong.size() == 1 ? " " : "s ") + names + " in " + where + "; "
                + (known.isEmpty() ? "it takes no " + what + "s" : "accepted " + what + "s: " + String.join(", ", known));
        return new AgentException(ErrorType.VALIDATION_ERROR, message,
                Map.of("unknown", wrong.stream().map(AgentException::abbreviate).toList(), "accepted", known), null);
    }

    /** Names come from the caller: a megabyte-long one must not be echoed whole. */
    private static String abbreviate(String name) {
        return name.length() <= 64 ? name : name.substring(0, 64) + "...";
    }

    public static AgentException notFound(String message) {
        return new AgentException(ErrorType.NOT_FOUND, message);
    }

    public static AgentException internal(String message, Throwable cause) {
        return new AgentException(ErrorType.INTERNAL, message, Map.of(), cause);
    }
}
