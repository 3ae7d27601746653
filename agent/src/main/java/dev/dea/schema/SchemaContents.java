package dev.dea.schema;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/** The {@code schema} object of {@code GET /schema}: relations sorted by schema then name, and the user types. */
@JsonPropertyOrder({"tables", "enums", "domains"})
public record SchemaContents(
        @JsonProperty("tables") List<TableInfo> tables,
        @JsonProperty("enums") List<EnumInfo> enums,
        @JsonProperty("domains") List<DomainInfo> domains) {

    public SchemaContents {
        tables = List.copyOf(tables);
        enums = List.copyOf(enums);
        domains = List.copyOf(domains);
    }
}
