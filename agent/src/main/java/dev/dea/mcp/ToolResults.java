package dev.dea.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dea.error.ErrorDetail;
import io.modelcontextprotocol.spec.McpSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Turns a tool's outcome into a {@link McpSchema.CallToolResult}: the JSON as text content
 * (what every client shows a model) and as {@code structuredContent}. A failure is a tool
 * error ({@code isError: true}) with the HTTP API's {@code detail} object ({@code type},
 * {@code message} and the type's fields, e.g. {@code rule}, {@code line}), so the model sees
 * what went wrong and can fix its call; it is never a JSON-RPC error. Like the HTTP API's
 * INTERNAL, a bug shows only the request id to look up in the log.
 */
final class ToolResults {
    private static final Logger log = LoggerFactory.getLogger(ToolResults.class);
    /** Error details (tracebacks, captured output) are cut like outputs are. */
    static final int MAX_DETAIL_CHARS = CompactResults.MAX_OUTPUT_CHARS;

    private final ObjectMapper mapper;

    ToolResults(ObjectMapper mapper) {
        this.mapper = requireNonNull(mapper, "mapper");
    }

    McpSchema.CallToolResult success(ObjectNode body, List<McpSchema.Content> extra) {
        List<McpSchema.Content> content = new ArrayList<>();
        content.add(new McpSchema.TextContent(text(body)));
        content.addAll(extra);
        return McpSchema.CallToolResult.builder().content(content).structuredContent(plain(body)).isError(false).build();
    }

    McpSchema.CallToolResult failure(String tool, RuntimeException e, String requestId) {
        ObjectNode detail = detail(tool, e, requestId);
        return McpSchema.CallToolResult.builder().addTextContent(text(detail)).structuredContent(plain(detail))
                .isError(true).build();
    }

    /** The HTTP API's {@code detail} for the same failure ({@link ErrorDetail}), long strings cut. */
    ObjectNode detail(String tool, RuntimeException e, String requestId) {
        if (ErrorDetail.isInternal(e)) {
            // The cause (paths, driver messages) is for the operator's log, never for the caller.
            log.error("Internal error in MCP tool {} (request {}): {}", tool, requestId, e.getMessage(), e);
        } else if (ErrorDetail.typeOf(e).httpStatus() >= 500) {
            log.warn("{} in MCP tool {} (request {}): {}", ErrorDetail.typeOf(e), tool, requestId, e.getMessage());
        }
        ObjectNode detail = mapper.createObjectNode();
        for (Map.Entry<String, Object> d : ErrorDetail.of(e, requestId).entrySet()) {
            boolean field = !d.getKey().equals("type") && !d.getKey().equals("message");
            detail.set(d.getKey(), mapper.valueToTree(field && d.getValue() instanceof String s
                    ? CompactResults.clip(s, MAX_DETAIL_CHARS) : d.getValue()));
        }
        return detail;
    }

    String text(Object body) {
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A tool result tree is always serialisable", e);
        }
    }

    /** Plain maps and lists, so the SDK's own mapper writes exactly the JSON of the text content. */
    private Map<?, ?> plain(ObjectNode body) {
        return mapper.convertValue(body, Map.class);
    }
}
