package dev.dea.schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One column. {@code type} is PostgreSQL's own spelling ({@code format_type}), so it can be
 * pasted into a cast; {@code baseType}/{@code domain} and {@code enumValues} spare the reader a
 * second look-up for domains and enums (also arrays of them).
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
@JsonPropertyOrder({"name", "type", "is_primary_key", "nullable", "default", "comment", "base_type", "domain",
        "enum_values", "is_array", "position"})
public record ColumnInfo(
        @JsonProperty("name") String name,
        @JsonProperty("type") String type,
        @JsonProperty("is_primary_key") boolean isPrimaryKey,
        @JsonProperty("nullable") boolean nullable,
        @JsonProperty("default") Optional<String> defaultValue,
        @JsonProperty("comment") Optional<String> comment,
        @JsonProperty("base_type") Optional<String> baseType,
        @JsonProperty("domain") Optional<String> domain,
        @JsonProperty("enum_values") Optional<List<String>> enumValues,
        @JsonProperty("is_array") boolean isArray,
        @JsonProperty("position") int position) {

    public ColumnInfo {
        requireNonNull(name, "name");
        requireNonNull(type, "type");
        requireNonNull(defaultValue, "defaultValue");
        requireNonNull(comment, "comment");
        requireNonNull(baseType, "baseType");
        requireNonNull(domain, "domain");
        enumValues = requireNonNull(enumValues, "enumValues").map(List::copyOf);
    }

    public ColumnInfo withPrimaryKey(boolean primaryKey) {
        return new ColumnInfo(name, type, primaryKey, nullable, defaultValue, comment, baseType, domain, enumValues,
                isArray, position);
    }
}
