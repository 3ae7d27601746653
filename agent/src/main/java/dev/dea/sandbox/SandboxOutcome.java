package dev.dea.sandbox;

import dev.dea.cache.FrameMeta;
import dev.dea.cache.FramePin;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A successful execution: the committed result frame (none when the code only printed or
 * drew, as a notebook cell may), pinned until this outcome is closed so that its preview can
 * be read back; the code's captured output (cut at the output limit, with a marker, when the
 * flag is set) and its figures.
 */
public record SandboxOutcome(Optional<FramePin> result, String stdout, String stderr, boolean stdoutTruncated,
                             boolean stderrTruncated, List<Artifact> artifacts, double elapsedMs) implements AutoCloseable {
    public SandboxOutcome {
        requireNonNull(result, "result");
        requireNonNull(stdout, "stdout");
        requireNonNull(stderr, "stderr");
        artifacts = List.copyOf(requireNonNull(artifacts, "artifacts"));
    }

    public Optional<FrameMeta> resultFrame() {
        return result.map(FramePin::meta);
    }

    /** The result frame of a step known to assign result_df. */
    public FrameMeta frame() {
        return resultFrame().orElseThrow(() -> new IllegalStateException("the step made no frame"));
    }

    /** Releases the result frame's pin: eviction may take it from now on. Idempotent. */
    @Override
    public void close() {
        result.ifPresent(FramePin::close);
    }
}
