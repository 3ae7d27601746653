package dev.dea.schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** A domain: its base type and the constraints that values must satisfy (several CHECKs are space-separated). */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
@JsonPropertyOrder({"schema", "name", "base_type", "nullable", "default", "check"})
public record DomainInfo(
        @JsonProperty("schema") String schema,
        @JsonProperty("name") String name,
        @JsonProperty("base_type") String baseType,
        @JsonProperty("nullable") boolean nullable,
        @JsonProperty("default") Optional<String> defaultValue,
        @JsonProperty("check") Optional<String> check) {

    public DomainInfo {
        requireNonNull(schema, "schema");
        requireNonNull(name, "name");
        requireNonNull(baseType, "baseType");
        requireNonNull(defaultValue, "defaultValue");
        requireNonNull(check, "check");
    }
}
