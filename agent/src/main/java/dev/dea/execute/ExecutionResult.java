package dev.dea.execute;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The seed's {@code EnrichedExecutionResult}: {@code status}, {@code metadata},
 * {@code data} (a preview of the rows) and the {@code cache_key} a later step chains on.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ExecutionResult(String status, Metadata metadata, Data data, String cacheKey) {
    public ExecutionResult {
        requireNonNull(status, "status");
        requireNonNull(metadata, "metadata");
        requireNonNull(data, "data");
        requireNonNull(cacheKey, "cacheKey");
    }

    /**
     * {@code truncated}: {@code data.rows} holds fewer rows than {@code row_count}.
     * {@code max_rows_reached}: the query returned more than SQL_MAX_ROWS rows and the
     * frame keeps only the first {@code row_count}.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Metadata(double executionTimeMs, long rowCount, int previewRowCount, boolean truncated,
                           boolean maxRowsReached, List<ResultColumn> resultSchema, List<String> tablesRead) {
        public Metadata {
            resultSchema = List.copyOf(resultSchema);
            tablesRead = List.copyOf(tablesRead);
        }
    }

    /** Rows are arrays of values in the frame encoding (docs/frame-format.md). */
    public record Data(List<String> columns, List<?> rows) {
        public Data {
            columns = List.copyOf(columns);
            requireNonNull(rows, "rows");
        }
    }
}
