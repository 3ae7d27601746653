package dev.dea.sandbox;

/**
 * Where a step's printed output goes while it runs, line by line (a job's {@code stdout} and
 * {@code stderr} events). The complete output still comes with the result; this is a live copy,
 * bounded by the same output limit. Called on the thread reading the runner: it must not block.
 */
@FunctionalInterface
public interface LiveOutput {
    /** Nobody is listening: the runner is not asked to stream. */
    LiveOutput NONE = (stream, line) -> {
    };

    /** {@code stream} is {@code stdout} or {@code stderr}; {@code line} has no trailing newline. */
    void line(String stream, String line);
}
