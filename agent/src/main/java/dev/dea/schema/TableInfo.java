package dev.dea.schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A table-like relation. {@code name} and {@code schema} are the raw catalog names;
 * {@code qualifiedName} is the SQL spelling ({@code quote_ident} on both parts), which is
 * what other names in the model refer to and what {@link SchemaService#resolve} accepts back.
 * {@code approxRowCount} is the planner's estimate (absent when the table was never analysed).
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
@JsonPropertyOrder({"name", "schema", "qualified_name", "kind", "parent", "partition_bound", "partition_key",
        "comment", "approx_row_count", "populated", "columns", "primary_key", "foreign_keys", "indexes"})
public record TableInfo(
        @JsonProperty("name") String name,
        @JsonProperty("schema") String schema,
        @JsonProperty("qualified_name") String qualifiedName,
        @JsonProperty("kind") TableKind kind,
        @JsonProperty("parent") Optional<String> parent,
        @JsonProperty("partition_bound") Optional<String> partitionBound,
        @JsonProperty("partition_key") Optional<String> partitionKey,
        @JsonProperty("comment") Optional<String> comment,
        @JsonProperty("approx_row_count") Optional<Long> approxRowCount,
        // Only present (as false) for a materialized view that was never refreshed: querying it fails.
        @JsonProperty("populated") Optional<Boolean> populated,
        @JsonProperty("columns") List<ColumnInfo> columns,
        @JsonProperty("primary_key") List<String> primaryKey,
        @JsonProperty("foreign_keys") List<ForeignKeyInfo> foreignKeys,
        @JsonProperty("indexes") List<IndexInfo> indexes) {

    public TableInfo {
        requireNonNull(name, "name");
        requireNonNull(schema, "schema");
        requireNonNull(qualifiedName, "qualifiedName");
        requireNonNull(kind, "kind");
        requireNonNull(parent, "parent");
        requireNonNull(partitionBound, "partitionBound");
        requireNonNull(partitionKey, "partitionKey");
        requireNonNull(comment, "comment");
        requireNonNull(approxRowCount, "approxRowCount");
        requireNonNull(populated, "populated");
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        foreignKeys = List.copyOf(foreignKeys);
        indexes = List.copyOf(indexes);
    }

    public Optional<ColumnInfo> column(String columnName) {
        return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
    }
}
