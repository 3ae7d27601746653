package dev.dea.profile.mysql;

import dev.dea.profile.ColumnProfile;
import dev.dea.profile.HistogramBucket;
import dev.dea.profile.Quantiles;
import dev.dea.profile.TopValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** One column's statistics as the two passes fill them in; confined to the request thread. */
final class ColumnStats {
    final String name;
    final String type;
    final MySqlKind kind;
    /** The column in agent-built SQL over the source aliased {@code s}. */
    final String sql;
    final boolean nullable;

    Long nullCount;
    long nonNull;
    Long distinct;
    boolean distinctEstimated;
    Object min;
    Object max;
    /** Histogram range on the numeric key (numbers, TO_DAYS, TO_SECONDS). */
    Double low;
    Double high;
    Object mean;
    Object stddev;
    Quantiles quantiles;
    String quantilesMethod;
    List<HistogramBucket> histogram;
    boolean histogramEstimated;
    final List<TopValue> topValues = new ArrayList<>();
    boolean topValuesEstimated;
    /** Some value occurs more than once among the rows grouped (before any scaling). */
    boolean repeats;
    final List<Object> examples = new ArrayList<>();
    Long minLength;
    Double avgLength;
    Long maxLength;
    private final List<String> notes = new ArrayList<>();

    /** Sum of the lengths, the first pass's text; the average is taken over the non-null count. */
    String lengthSum;
    /** Sum of the values (first pass); the mean is taken over the non-null count. */
    String sum;

    ColumnStats(String name, String type, boolean nullable, String sql) {
        this.nullable = nullable;
        this.name = requireNonNull(name, "name");
        this.type = requireNonNull(type, "type");
        this.sql = requireNonNull(sql, "sql");
        this.kind = MySqlKind.of(type);
    }

    void note(String note) {
        notes.add(note);
    }

    ColumnProfile toProfile() {
        // Top values of a column whose values are all different say nothing; examples show the format instead.
        boolean showTop = !topValues.isEmpty() && (kind.alwaysTopValues() || repeats);
        boolean showExamples = kind.hasExamples() && !showTop && !examples.isEmpty();
        return new ColumnProfile(name, type, kind.columnKind.wireName(), Optional.ofNullable(nullCount),
                Optional.ofNullable(distinct), distinct != null && distinctEstimated ? Optional.of(true) : Optional.empty(),
                Optional.ofNullable(min), Optional.ofNullable(max), Optional.ofNullable(mean), Optional.ofNullable(stddev),
                Optional.ofNullable(quantiles), quantiles == null ? Optional.empty() : Optional.ofNullable(quantilesMethod),
                Optional.ofNullable(histogram),
                histogram != null && histogramEstimated ? Optional.of(true) : Optional.empty(),
                showTop ? Optional.of(topValues) : Optional.empty(),
                showTop && topValuesEstimated ? Optional.of(true) : Optional.empty(),
                showExamples ? Optional.of(examples) : Optional.empty(),
                Optional.ofNullable(minLength), Optional.ofNullable(avgLength), Optional.ofNullable(maxLength),
                notes.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", notes)));
    }
}
