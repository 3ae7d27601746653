package dev.dea.execute;

/** What a running step reports as it goes, for a job's progress events; {@link #NONE} for synchronous calls. */
@FunctionalInterface
public interface StepProgress {
    StepProgress NONE = rows -> {
    };

    /** {@code rows} fetched so far; called often (every few hundred rows): the listener throttles. */
    void rowsFetched(long rows);

    /** A line a Python step printed ({@code stream}: stdout or stderr), as it was printed. */
    default void output(String stream, String line) {
    }

    /** Whether {@link #output} is wanted: only then is the sandbox asked to stream what the code prints. */
    default boolean wantsOutput() {
        return false;
    }
}
