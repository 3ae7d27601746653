package dev.dea.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Statistics of one column; only those meaningful for its type are present, and {@code note}
 * says why others are missing or how to read them. Numbers are JSON numbers except exact
 * decimals (numeric min/max/quantiles as strings) and non-finite values ("NaN", "Infinity").
 * Dates and timestamps are ISO-8601 strings.
 *
 * <p>{@code distinct_count_estimated} is present (true) when {@code distinct_count} is PostgreSQL's
 * estimate from its planner statistics rather than a count. {@code quantiles_method} says how the
 * quartiles were obtained: {@code exact} (percentiles over every value), {@code pg_stats}
 * (interpolated in PostgreSQL's sampled statistics of the last ANALYZE) or {@code histogram}
 * (interpolated in the exact equal-width histogram). {@code histogram_estimated} and
 * {@code top_values_estimated} are present (true) when those are PostgreSQL's statistics of the
 * last ANALYZE applied to the exact counts rather than counted (large tables, docs/profiles.md).
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
@JsonPropertyOrder({"name", "type", "kind", "null_count", "distinct_count", "distinct_count_estimated", "min", "max", "mean", "stddev",
        "quantiles", "quantiles_method", "histogram", "histogram_estimated", "top_values", "top_values_estimated", "distinct_examples", "min_length", "avg_length", "max_length", "note"})
public record ColumnProfile(
        @JsonProperty("name") String name,
        @JsonProperty("type") String type,
        @JsonProperty("kind") String kind,
        @JsonProperty("null_count") Optional<Long> nullCount,
        @JsonProperty("distinct_count") Optional<Long> distinctCount,
        @JsonProperty("distinct_count_estimated") Optional<Boolean> distinctCountEstimated,
        @JsonProperty("min") Optional<Object> min,
        @JsonProperty("max") Optional<Object> max,
        @JsonProperty("mean") Optional<Object> mean,
        @JsonProperty("stddev") Optional<Object> stddev,
        @JsonProperty("quantiles") Optional<Quantiles> quantiles,
        @JsonProperty("quantiles_method") Optional<String> quantilesMethod,
        @JsonProperty("histogram") Optional<List<HistogramBucket>> histogram,
        @JsonProperty("histogram_estimated") Optional<Boolean> histogramEstimated,
        @JsonProperty("top_values") Optional<List<TopValue>> topValues,
        @JsonProperty("top_values_estimated") Optional<Boolean> topValuesEstimated,
        @JsonProperty("distinct_examples") Optional<List<Object>> distinctExamples,
        @JsonProperty("min_length") Optional<Long> minLength,
        @JsonProperty("avg_length") Optional<Double> avgLength,
        @JsonProperty("max_length") Optional<Long> maxLength,
        @JsonProperty("note") Optional<String> note) {

    public ColumnProfile {
        requireNonNull(name, "name");
        requireNonNull(type, "type");
        requireNonNull(kind, "kind");
        requireNonNull(nullCount, "nullCount");
        requireNonNull(distinctCount, "distinctCount");
        requireNonNull(distinctCountEstimated, "distinctCountEstimated");
        requireNonNull(min, "min");
        requireNonNull(max, "max");
        requireNonNull(mean, "mean");
        requireNonNull(stddev, "stddev");
        requireNonNull(quantiles, "quantiles");
        requireNonNull(quantilesMethod, "quantilesMethod");
        histogram = requireNonNull(histogram, "histogram").map(List::copyOf);
        requireNonNull(histogramEstimated, "histogramEstimated");
        topValues = requireNonNull(topValues, "topValues").map(List::copyOf);
        requireNonNull(topValuesEstimated, "topValuesEstimated");
        distinctExamples = requireNonNull(distinctExamples, "distinctExamples").map(List::copyOf);
        requireNonNull(minLength, "minLength");
        requireNonNull(avgLength, "avgLength");
        requireNonNull(maxLength, "maxLength");
        requireNonNull(note, "note");
    }
}
