package dev.dea.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ToolCatalogTest {
    @Test
    void everyRequiredArgumentIsADeclaredProperty() {
        for (McpSchema.Tool tool : ToolCatalog.tools()) {
            Map<?, ?> properties = (Map<?, ?>) tool.inputSchema().get("properties");
            List<?> required = (List<?>) tool.inputSchema().getOrDefault("required", List.of());
            assertThat(required.stream().allMatch(properties::containsKey)).as(tool.name()).isTrue();
            assertThat(tool.inputSchema().get("additionalProperties")).isEqualTo(false);
            properties.values().forEach(p -> assertThat(((Map<?, ?>) p).get("description")).as(tool.name()).isNotNull());
        }
    }

    @Test
    void argumentsAreTheSchemasProperties() {
        assertThat(ToolCatalog.arguments("run_python_on_frames")).containsExactlyInAnyOrder("code", "cache_keys", "input_data", "preview_rows",
                "exact_decimals");
        assertThat(ToolCatalog.arguments("run_python")).containsExactlyInAnyOrder("code", "preview_rows", "exact_decimals");
        assertThat(ToolCatalog.arguments("describe_schema")).containsExactlyInAnyOrder("table", "datasource");
    }

    @Test
    void descriptionsTellAModelTheLimitsAndHowToChain() {
        Map<String, String> d = ToolCatalog.tools().stream()
                .collect(java.util.stream.Collectors.toMap(McpSchema.Tool::name, McpSchema.Tool::description));
        assertThat(d.get("run_sql")).contains("read-only", "SQL_REJECTED", "'rule'", "cache_key", "run_python_on_frames");
        assertThat(d.get("run_python")).contains("sql(query)", "result_df", "EXECUTION_ERROR", "network");
        assertThat(d.get("run_python_on_frames")).contains("input_data['payments']", "cache_keys", "NOT_FOUND");
        assertThat(d.get("get_frame")).contains("cache_key", "expire");
        assertThat(d.get("upload_frame")).contains("CSV", "xlsx", "VALIDATION_ERROR", "run_python_on_frames");
    }
}
