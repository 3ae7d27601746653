package dev.dea.schema;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The body of {@code GET /schema}. {@code searchPath} is the agent session's effective
 * search_path: unqualified names in the caller's SQL resolve in that order.
 * {@code generatedAt} is an ISO-8601 instant kept as text so any ObjectMapper renders it alike.
 */
@JsonPropertyOrder({"dialect", "server_version", "generated_at", "search_path", "schema"})
public record DatabaseSchema(
        @JsonProperty("dialect") String dialect,
        @JsonProperty("server_version") String serverVersion,
        @JsonProperty("generated_at") String generatedAt,
        @JsonProperty("search_path") List<String> searchPath,
        @JsonProperty("schema") SchemaContents schema) {

    public DatabaseSchema {
        requireNonNull(dialect, "dialect");
        requireNonNull(serverVersion, "serverVersion");
        requireNonNull(generatedAt, "generatedAt");
        searchPath = List.copyOf(searchPath);
        requireNonNull(schema, "schema");
    }

    @JsonIgnore
    public List<TableInfo> tables() {
        return schema.tables();
    }

    /** The server's major version (15 for "15.4", 16 for "16beta1"), 0 when unparsable. */
    @JsonIgnore
    public int serverMajorVersion() {
        int end = 0;
        while (end < serverVersion.length() && Character.isDigit(serverVersion.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(serverVersion.substring(0, end));
    }
}
