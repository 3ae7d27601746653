package dev.dea.profile.postgresql;

import dev.dea.profile.ColumnProfile;
import dev.dea.profile.Quantiles;
import dev.dea.profile.TopValue;
import dev.dea.profile.HistogramBucket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One column's statistics as the passes fill them in. Mutable and confined to the request
 * thread; {@link #toProfile()} freezes it into the immutable record.
 */
final class ColumnAccumulator {
    final ColumnFacts facts;
    final StatKind kind;

    Long nullCount;
    Long nonNull;
    Long distinct;
    Long finite;
    Object min;
    Object max;
    /** Histogram range in the kind's bucketing unit: Long (integers, epoch days), BigDecimal, Double (floats, epoch seconds). */
    Object low;
    Object high;
    Object mean;
    Object stddev;
    Quantiles quantiles;
    Long minLength;
    Double avgLength;
    Long maxLength;
    List<HistogramBucket> histogram;
    final List<TopValue> topValues = new ArrayList<>();
    final List<Object> examples = new ArrayList<>();
    /** How {@link #quantiles} were obtained: "exact", "histogram" or "pg_stats". */
    String quantilesMethod;
    /** {@link #distinct} is PostgreSQL's estimate (pg_stats), not a count. */
    boolean distinctEstimated;
    /** {@link #histogram}'s counts are pg_stats' distribution applied to the exact finite count. */
    boolean histogramEstimated;
    /** {@link #topValues} are pg_stats' most common values with estimated counts. */
    boolean topValuesEstimated;
    /** Rows where a boolean column is true (fast pass only). */
    Long trueCount;
    /** The fast aggregate could not finish this column (NaN or infinite extremes, multi-byte text): FILTERED reruns it. */
    boolean rerun;
    /** The column's statistics query failed; only its null count is known. */
    boolean failed;
    boolean wantTopValues;
    boolean wantExamples;
    private final List<String> notes = new ArrayList<>();

    ColumnAccumulator(ColumnFacts facts) {
        this.facts = requireNonNull(facts, "facts");
        this.kind = facts.statKind();
    }

    void note(String note) {
        notes.add(note);
    }

    /** A histogram kind whose first pass succeeded and found finite values. */
    boolean hasFiniteValuesToBucket() {
        return kind.hasHistogram() && !failed && finite != null && finite > 0;
    }

    boolean isUnique() {
        return distinct != null && nonNull != null && nonNull > 0 && distinct.longValue() == nonNull.longValue();
    }

    ColumnProfile toProfile() {
        return new ColumnProfile(
                facts.name(),
                facts.type(),
                facts.columnKind().wireName(),
                Optional.ofNullable(nullCount),
                Optional.ofNullable(distinct),
                distinct != null && distinctEstimated ? Optional.of(true) : Optional.empty(),
                Optional.ofNullable(min),
                Optional.ofNullable(max),
                Optional.ofNullable(mean),
                Optional.ofNullable(stddev),
                Optional.ofNullable(quantiles),
                quantiles == null ? Optional.empty() : Optional.ofNullable(quantilesMethod),
                Optional.ofNullable(histogram),
                histogram != null && histogramEstimated ? Optional.of(true) : Optional.empty(),
                wantTopValues && !topValues.isEmpty() ? Optional.of(topValues) : Optional.empty(),
                wantTopValues && !topValues.isEmpty() && topValuesEstimated ? Optional.of(true) : Optional.empty(),
                wantExamples && !examples.isEmpty() ? Optional.of(examples) : Optional.empty(),
                Optional.ofNullable(minLength),
                Optional.ofNullable(avgLength),
                Optional.ofNullable(maxLength),
                notes.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", notes)));
    }
}
