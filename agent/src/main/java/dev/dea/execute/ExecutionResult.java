package dev.dea.execute;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The seed's {@code EnrichedExecutionResult}: {@code status}, {@code metadata},
 * {@code data} (a preview of the rows) and the {@code cache_key} a later step chains on;
 * Python runs add {@code stdout}, {@code stderr} and {@code artifacts} at the top level.
 * A Python step that only printed or drew makes no frame: {@code frame_created} is false,
 * {@code cache_key} is absent (the seed marks it optional; the agent omits empty optional
 * fields everywhere), and data and schema are empty.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record ExecutionResult(String status, Metadata metadata, Data data,
                              Optional<String> cacheKey, boolean frameCreated,
                              @JsonUnwrapped Optional<PythonOutput> python) {
    public ExecutionResult {
        requireNonNull(status, "status");
        requireNonNull(metadata, "metadata");
        requireNonNull(data, "data");
        if (frameCreated != requireNonNull(cacheKey, "cacheKey").isPresent()) {
            throw new IllegalArgumentException("cacheKey must be set exactly when a frame was created");
        }
        requireNonNull(python, "python");
    }

    /**
     * {@code truncated}: {@code data.rows} holds fewer rows than {@code row_count}.
     * {@code max_rows_reached}: the query returned more than SQL_MAX_ROWS rows and the
     * frame keeps only the first {@code row_count}. {@code parent_keys}: the frames a
     * Python step read.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Metadata(double executionTimeMs, long rowCount, int previewRowCount, boolean truncated,
                           boolean maxRowsReached, List<ResultColumn> resultSchema, List<String> tablesRead,
                           List<String> parentKeys) {
        public Metadata {
            resultSchema = List.copyOf(resultSchema);
            tablesRead = List.copyOf(tablesRead);
            parentKeys = List.copyOf(parentKeys);
        }
    }

    /** Rows are arrays of values in the frame encoding (docs/frame-format.md). */
    public record Data(List<String> columns, List<?> rows) {
        public Data {
            columns = List.copyOf(columns);
            requireNonNull(rows, "rows");
        }
    }

    /**
     * What a Python step printed, drew and wrote to OUT_DIR; each stream is cut at
     * SANDBOX_OUTPUT_LIMIT_BYTES; each artifact is downloadable at its {@code url}.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PythonOutput(String stdout, String stderr, boolean stdoutTruncated, boolean stderrTruncated,
                               List<ResultArtifact> artifacts) {
        public PythonOutput {
            requireNonNull(stdout, "stdout");
            requireNonNull(stderr, "stderr");
            artifacts = List.copyOf(artifacts);
        }
    }
}
