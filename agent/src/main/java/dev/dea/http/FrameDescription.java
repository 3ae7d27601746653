package dev.dea.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.dea.cache.FrameMeta;
import dev.dea.execute.ExecutionResult;
import dev.dea.execute.ResultColumn;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The body of {@code GET /frames/{key}}: a cached frame's schema with stats, its provenance and
 * a preview. A record rather than a map so that the OpenAPI schema is derived from it.
 * {@code truncated}: the preview holds fewer rows than the frame; {@code max_rows_reached}: the
 * query returned more than SQL_MAX_ROWS rows and the frame keeps the first {@code row_count}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record FrameDescription(String cacheKey, long rowCount, long bytes, boolean maxRowsReached, String createdAt,
                               Provenance provenance, List<ResultColumn> resultSchema, ExecutionResult.Data data,
                               boolean truncated) {
    public FrameDescription {
        requireNonNull(cacheKey, "cacheKey");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(provenance, "provenance");
        resultSchema = List.copyOf(resultSchema);
        requireNonNull(data, "data");
    }

    /**
     * Where the frame came from: {@code kind} sql, python, upload or inline; {@code source} the SQL or
     * code, or an upload's name;
     * {@code datasource} the datasource a SQL frame was read from.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    public record Provenance(String kind, String source, List<String> parentKeys, Optional<String> requestId,
                             Optional<String> datasource) {
        public Provenance {
            requireNonNull(kind, "kind");
            requireNonNull(source, "source");
            parentKeys = List.copyOf(parentKeys);
            requireNonNull(requestId, "requestId");
            requireNonNull(datasource, "datasource");
        }
    }

    static FrameDescription of(FrameMeta meta, List<?> previewRows) {
        var p = meta.provenance();
        return new FrameDescription(meta.key(), meta.rowCount(), meta.bytes(), meta.truncated(), meta.createdAt().toString(),
                new Provenance(p.kind(), p.source(), p.parentKeys(), p.requestId(), p.datasource()),
                meta.columns().stream().map(ResultColumn::of).toList(),
                new ExecutionResult.Data(meta.columns().stream().map(c -> c.name()).toList(), previewRows),
                previewRows.size() < meta.rowCount());
    }
}
