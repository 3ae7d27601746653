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

    /**
     * A table profile finished {@code passesDone} of its passes over the table (each pass covers
     * every one of its {@code columns} at once: PostgreSQL and MySQL profiles read wide, not column
     * by column).
     */
    default void profilePasses(int passesDone, int columns) {
    }

    /** Whether {@link #output} is wanted: only then is the sandbox asked to stream what the code prints. */
    default boolean wantsOutput() {
        return false;
    }
}
