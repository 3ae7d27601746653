package dev.dea.sandbox;

import dev.dea.cache.FrameMeta;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A successful execution: the committed result frame, the code's captured output (cut at
 * the output limit, with a marker, when the flag is set) and its figures.
 */
public record SandboxOutcome(FrameMeta frame, String stdout, String stderr, boolean stdoutTruncated,
                             boolean stderrTruncated, List<Artifact> artifacts, double elapsedMs) {
    public SandboxOutcome {
        requireNonNull(frame, "frame");
        requireNonNull(stdout, "stdout");
        requireNonNull(stderr, "stderr");
        artifacts = List.copyOf(requireNonNull(artifacts, "artifacts"));
    }
}
