package dev.dea.profile.mysql;

import java.util.Optional;
import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * Where a profile's rows come from, as a SELECT of the profiled columns.
 *
 * @param method   empty when the table is read in full, else the sample's {@code sample.method}
 * @param fraction the share of the table the sample reads (1 when read in full)
 * @param relation the table itself when read in full: a derived table might be materialized
 * @param rowCount the table's rows when a sample cannot extrapolate them from its fraction
 */
record Source(String select, Optional<String> method, double fraction, Optional<String> relation,
              OptionalLong rowCount) {
    Source {
        requireNonNull(select, "select");
        requireNonNull(method, "method");
        requireNonNull(relation, "relation");
        requireNonNull(rowCount, "rowCount");
    }

    Source(String select, Optional<String> method, double fraction) {
        this(select, method, fraction, Optional.empty(), OptionalLong.empty());
    }

    /** The whole of {@code relation}. */
    static Source whole(String relation, String columnList) {
        return new Source("SELECT " + columnList + " FROM " + relation, Optional.empty(), 1, Optional.of(relation),
                OptionalLong.empty());
    }

    /** The FROM item of the first pass. */
    String from() {
        return relation.map(r -> r + " AS s").orElse("(" + select + ") AS s");
    }

    /** The table's rows, given that this source yielded {@code read} rows. */
    long tableRows(long read) {
        return rowCount.isPresent() ? Math.max(read, rowCount.getAsLong()) : Math.round(read / fraction);
    }

    /**
     * Whether reading this source costs about its rows, so that splitting it over two
     * connections halves it: not a RAND sample, which reads the whole table to keep a fraction
     * (two statements would read it twice and hold the spare connection as long as one).
     */
    boolean readsSampleOnly() {
        return method.filter(Sampling.RAND::equals).isEmpty();
    }
}
