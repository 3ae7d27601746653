package dev.dea.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * How a large relation was sampled. {@code method} is {@code SYSTEM} or {@code BERNOULLI}
 * (PostgreSQL's TABLESAMPLE, with {@code percent}), {@code PRIMARY_KEY_RANGES},
 * {@code PRIMARY_KEY_RUNS} or {@code RAND} (MySQL/MariaDB, which have no TABLESAMPLE), or
 * {@code LIMIT} (views and foreign tables: the first rows the relation yields, so possibly
 * biased). All counts in the profile except {@code row_count} describe the
 * {@code rows_scanned} sampled rows.
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
@JsonPropertyOrder({"method", "percent", "rows_scanned", "note"})
public record SampleInfo(
        @JsonProperty("method") String method,
        @JsonProperty("percent") Optional<Double> percent,
        @JsonProperty("rows_scanned") long rowsScanned,
        @JsonProperty("note") String note) {

    public SampleInfo {
        requireNonNull(method, "method");
        requireNonNull(percent, "percent");
        requireNonNull(note, "note");
    }
}
