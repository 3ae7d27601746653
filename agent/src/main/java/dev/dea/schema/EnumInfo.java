package dev.dea.schema;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** An enum type with its labels in sort order (the order {@code ORDER BY} and comparisons use). */
@JsonPropertyOrder({"schema", "name", "values"})
public record EnumInfo(
        @JsonProperty("schema") String schema,
        @JsonProperty("name") String name,
        @JsonProperty("values") List<String> values) {

    public EnumInfo {
        requireNonNull(schema, "schema");
        requireNonNull(name, "name");
        values = List.copyOf(values);
    }
}
