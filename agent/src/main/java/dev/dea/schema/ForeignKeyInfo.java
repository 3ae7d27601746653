package dev.dea.schema;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** A foreign key; {@code referencesTable} is a qualified name ready for SQL (quoted where PostgreSQL needs it). */
@JsonPropertyOrder({"name", "columns", "references_table", "references_columns", "on_delete", "on_update"})
public record ForeignKeyInfo(
        @JsonProperty("name") String name,
        @JsonProperty("columns") List<String> columns,
        @JsonProperty("references_table") String referencesTable,
        @JsonProperty("references_columns") List<String> referencesColumns,
        @JsonProperty("on_delete") String onDelete,
        @JsonProperty("on_update") String onUpdate) {

    public ForeignKeyInfo {
        requireNonNull(name, "name");
        columns = List.copyOf(columns);
        requireNonNull(referencesTable, "referencesTable");
        referencesColumns = List.copyOf(referencesColumns);
        requireNonNull(onDelete, "onDelete");
        requireNonNull(onUpdate, "onUpdate");
    }

    /** pg_constraint's one-letter referential actions as SQL spells them. */
    public static String action(String code) {
        return switch (code == null ? "" : code) {
            case "a" -> "NO ACTION";
            case "r" -> "RESTRICT";
            case "c" -> "CASCADE";
            case "n" -> "SET NULL";
            case "d" -> "SET DEFAULT";
            default -> "NO ACTION";
        };
    }
}
