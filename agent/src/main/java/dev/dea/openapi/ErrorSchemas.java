package dev.dea.openapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dea.error.ErrorType;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The error shape {@code {"detail": {"type", "message", ...}}}: {@code ErrorType} lists every
 * code of {@link ErrorType} (so a new constant is documented by existing), and each operation's
 * error responses, one per status, narrow {@code detail.type} to the codes it can answer with.
 */
final class ErrorSchemas {
    static final String ERROR = "Error";
    static final String ERROR_TYPE = "ErrorType";

    private final ObjectMapper mapper;

    ErrorSchemas(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    void addComponents(SchemaCatalog catalog) {
        ObjectNode type = mapper.createObjectNode().put("type", "string")
                .put("description", "Stable, machine-readable error code; its HTTP status is fixed per code.");
        ArrayNode values = type.putArray("enum");
        Arrays.stream(ErrorType.values()).forEach(t -> values.add(t.name()));
        catalog.add(ERROR_TYPE, type);

        ObjectNode error = mapper.createObjectNode().put("type", "object");
        error.putArray("required").add("detail");
        ObjectNode detail = error.putObject("properties").putObject("detail").put("type", "object")
                .put("description", "Further keys depend on the type (below); others may be added, never removed.");
        detail.putArray("required").add("type").add("message");
        ObjectNode props = detail.putObject("properties");
        props.set("type", catalog.reference(ERROR_TYPE));
        props.putObject("message").put("type", "string").put("description", "For a person; never a stack trace.");
        extra(props, "rule", "string", "SQL_REJECTED: the guard rule that refused the statement (docs/sql-guard.md)");
        extra(props, "sqlstate", "string", "SQL_ERROR, TIMEOUT: the server's SQLSTATE");
        extra(props, "error_code", "integer", "SQL_ERROR, TIMEOUT: MySQL's/MariaDB's error number (e.g. 1054)");
        extra(props, "position", "integer", "SQL_ERROR: 1-based character position PostgreSQL points at");
        extra(props, "hint", "string", "SQL_ERROR: PostgreSQL's hint");
        extra(props, "exception", "string", "EXECUTION_ERROR, MEMORY_LIMIT: the Python exception class");
        extra(props, "line", "integer", "EXECUTION_ERROR: the line in the caller's code");
        extra(props, "traceback", "string", "EXECUTION_ERROR: the Python traceback");
        extra(props, "stdout", "string", "EXECUTION_ERROR: what the code printed before failing");
        extra(props, "stderr", "string", "EXECUTION_ERROR: the code's standard error before failing");
        extra(props, "error", "string", "EXECUTION_ERROR: the runner's kind of failure when it is not EXECUTION_ERROR");
        extra(props, "sql_error", "object", "EXECUTION_ERROR: {type, message} of a failed sql() call inside the code");
        extra(props, "row", "integer", "VALIDATION_ERROR of an upload: the 1-based row of the file (as its user sees it) that is malformed");
        extra(props, "column", "integer", "VALIDATION_ERROR of an upload: the 1-based column, when the problem is in one");
        extra(props, "column_name", "string", "VALIDATION_ERROR of an upload: that column's name, when known");
        extra(props, "problem", "string", "VALIDATION_ERROR of an upload: what is wrong, without the place");
        extra(props, "max_upload_bytes", "integer", "PAYLOAD_TOO_LARGE of an upload: UPLOAD_MAX_BYTES");
        extra(props, "retry_after_seconds", "integer", "TOO_MANY_REQUESTS: also sent as the Retry-After header");
        for (String names : new String[]{"unknown", "accepted"}) {
            extra(props, names, "array", "VALIDATION_ERROR: the body fields, query parameters or MCP tool arguments "
                    + ("unknown".equals(names) ? "the request named but the route does not take" : "the route takes"
                    + "; UNSUPPORTED_MEDIA_TYPE: the content types an upload may have"));
            ((ObjectNode) props.get(names)).putObject("items").put("type", "string");
        }
        catalog.add(ERROR, error);
    }

    private static void extra(ObjectNode props, String name, String type, String description) {
        props.putObject(name).put("type", type).put("description", description);
    }

    /** The codes of {@code types}, grouped by their HTTP status in ascending order. */
    static Map<Integer, List<ErrorType>> byStatus(Collection<ErrorType> types) {
        return types.stream().sorted().collect(Collectors.groupingBy(ErrorType::httpStatus, TreeMap::new, Collectors.toList()));
    }

    /** {@code allOf} the error shape with {@code detail.type} restricted to {@code types}. */
    ObjectNode responseSchema(SchemaCatalog catalog, List<ErrorType> types) {
        ObjectNode schema = mapper.createObjectNode();
        ArrayNode allOf = schema.putArray("allOf");
        allOf.add(catalog.reference(ERROR));
        ObjectNode narrowed = allOf.addObject();
        ArrayNode values = narrowed.putObject("properties").putObject("detail").putObject("properties").putObject("type").putArray("enum");
        types.forEach(t -> values.add(t.name()));
        return schema;
    }

    static String description(List<ErrorType> types) {
        return types.stream().map(Enum::name).collect(Collectors.joining(", "));
    }
}
