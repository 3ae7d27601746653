package dev.dea.execute;

/** What a running step reports as it goes, for a job's progress events; {@link #NONE} for synchronous calls. */
@FunctionalInterface
public interface StepProgress {
    StepProgress NONE = rows -> {
    };

    /** {@code rows} fetched so far; called often (every few hundred rows): the listener throttles. */
    void rowsFetched(long rows);
}
