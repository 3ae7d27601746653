package dev.dea.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The body of {@code GET /schema/{table}/profile}. {@code tableName} is the qualified SQL name.
 * When {@code sampled}, {@code rowCount} is extrapolated from the sample (or, for LIMIT samples,
 * the planner's estimate) and the column statistics describe the sample; otherwise all are exact.
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
@JsonPropertyOrder({"table_name", "kind", "row_count", "sampled", "sample", "elapsed_ms", "note", "columns"})
public record TableProfile(
        @JsonProperty("table_name") String tableName,
        @JsonProperty("kind") String kind,
        @JsonProperty("row_count") long rowCount,
        @JsonProperty("sampled") boolean sampled,
        @JsonProperty("sample") Optional<SampleInfo> sample,
        @JsonProperty("elapsed_ms") double elapsedMs,
        @JsonProperty("note") Optional<String> note,
        @JsonProperty("columns") List<ColumnProfile> columns) {

    public TableProfile {
        requireNonNull(tableName, "tableName");
        requireNonNull(kind, "kind");
        requireNonNull(sample, "sample");
        requireNonNull(note, "note");
        columns = List.copyOf(columns);
    }

    public Optional<ColumnProfile> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
