package dev.dea.profile;

import com.fasterxml.jackson.annotation.JsonProperty;

import static java.util.Objects.requireNonNull;

/**
 * One of up to 10 equal-width buckets between the column's min and max. A bucket holds
 * {@code bucket_start <= v < bucket_end}, except the last, which also holds {@code v = bucket_end}
 * (the max). Bounds are numbers for numeric columns and ISO-8601 strings for dates and timestamps.
 */
public record HistogramBucket(
        @JsonProperty("bucket_start") Object bucketStart,
        @JsonProperty("bucket_end") Object bucketEnd,
        @JsonProperty("count") long count) {

    public HistogramBucket {
        requireNonNull(bucketStart, "bucketStart");
        requireNonNull(bucketEnd, "bucketEnd");
    }
}
