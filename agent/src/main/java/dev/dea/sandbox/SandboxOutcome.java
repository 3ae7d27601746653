package dev.dea.sandbox;

import dev.dea.cache.FrameMeta;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A successful execution: the committed result frame (none when the code only printed or
 * drew, as a notebook cell may), the code's captured output (cut at the output limit, with a
 * marker, when the flag is set) and its figures.
 */
public record SandboxOutcome(Optional<FrameMeta> resultFrame, String stdout, String stderr, boolean stdoutTruncated,
                             boolean stderrTruncated, List<Artifact> artifacts, double elapsedMs) {
    public SandboxOutcome {
        requireNonNull(resultFrame, "resultFrame");
        requireNonNull(stdout, "stdout");
        requireNonNull(stderr, "stderr");
        artifacts = List.copyOf(requireNonNull(artifacts, "artifacts"));
    }

    /** The result frame of a step known to assign result_df. */
    public FrameMeta frame() {
        return resultFrame.orElseThrow(() -> new IllegalStateException("the step made no frame"));
    }
}
