package dev.dea.schema;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * An index. {@code columns} are the key columns in order; an expression key appears as its
 * SQL text. {@code definition} is the full {@code CREATE INDEX}, which also shows partial predicates.
 */
@JsonPropertyOrder({"name", "columns", "unique", "primary", "method", "definition"})
public record IndexInfo(
        @JsonProperty("name") String name,
        @JsonProperty("columns") List<String> columns,
        @JsonProperty("unique") boolean unique,
        @JsonProperty("primary") boolean primary,
        @JsonProperty("method") String method,
        @JsonProperty("definition") String definition) {

    public IndexInfo {
        requireNonNull(name, "name");
        columns = List.copyOf(columns);
        requireNonNull(method, "method");
        requireNonNull(definition, "definition");
    }
}
