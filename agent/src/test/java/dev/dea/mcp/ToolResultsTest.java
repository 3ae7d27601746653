package dev.dea.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.error.SqlRejectedException;
import dev.dea.frame.FrameJson;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ToolResultsTest {
    private final ObjectMapper mapper = FrameJson.newMapper();
    private final ToolResults results = new ToolResults(mapper);

    private JsonNode text(McpSchema.CallToolResult r) throws Exception {
        return mapper.readTree(((McpSchema.TextContent) r.content().get(0)).text());
    }

    @Test
    void successCarriesTheJsonAsTextAndStructuredContent() throws Exception {
        var body = mapper.createObjectNode().put("cache_key", "k").put("row_count", 3);
        var r = results.success(body, List.of(new McpSchema.ImageContent(null, "AA==", "image/png")));
        assertThat(r.isError()).isFalse();
        assertThat(text(r)).isEqualTo(body);
        assertThat(r.structuredContent()).isEqualTo(Map.of("cache_key", "k", "row_count", 3));
        assertThat(r.content().get(1)).isInstanceOf(McpSchema.ImageContent.class);
    }

    @Test
    void anAgentErrorIsAToolErrorWithTheHttpApisDetail() throws Exception {
        var r = results.failure("run_sql", new SqlRejectedException("data_modifying_statement", "DELETE is not allowed"), "req-1");
        assertThat(r.isError()).isTrue();
        JsonNode detail = text(r);
        assertThat(detail.path("type").asText()).isEqualTo("SQL_REJECTED");
        assertThat(detail.path("rule").asText()).isEqualTo("data_modifying_statement");
        assertThat(detail.path("message").asText()).isEqualTo("DELETE is not allowed");
    }

    @Test
    void longDetailsAreCut() throws Exception {
        var e = new AgentException(ErrorType.EXECUTION_ERROR, "boom",
                Map.of("traceback", "t".repeat(ToolResults.MAX_DETAIL_CHARS + 5), "line", 3), null);
        JsonNode detail = text(results.failure("run_python", e, "req-2"));
        assertThat(detail.path("line").asInt()).isEqualTo(3);
        assertThat(detail.path("traceback").asText()).endsWith("…[+5 chars]");
    }

    @Test
    void bugsShowOnlyTheRequestIdNeverTheirCause() throws Exception {
        for (RuntimeException bug : List.of(new IllegalStateException("/secret/path exploded"),
                AgentException.internal("Cannot read /secret/path", null))) {
            JsonNode detail = text(results.failure("get_frame", bug, "req-3"));
            assertThat(detail.path("type").asText()).isEqualTo("INTERNAL");
            assertThat(detail.path("message").asText()).contains("req-3").doesNotContain("secret");
        }
    }
}
