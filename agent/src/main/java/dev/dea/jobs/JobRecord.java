package dev.dea.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What {@code GET /jobs/{id}} answers and what is kept on disk, one file per job. On success
 * {@code result} is the body the synchronous call answers (an {@code EnrichedExecutionResult}
 * or a table profile); on failure {@code error} is the same {@code detail} object.
 *
 * @param kind       {@code execute}, {@code execute-on-data} or {@code profile}: the route the job came from
 * @param language   {@code sql} or {@code python}; empty for a profile
 * @param datasource the datasource the step is for; empty: the default one
 * @param table      the profiled table; empty for executions
 * Timestamps are ISO-8601 instants in UTC.
 *
 * @param requestId  the {@code X-Request-Id} of the request that submitted the job (audit trail, logs)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record JobRecord(String jobId, JobStatus status, String kind, Optional<String> language,
                        Optional<String> datasource, Optional<String> table, String requestId,
                        String createdAt, Optional<String> startedAt, Optional<String> finishedAt,
                        Optional<JsonNode> result, Optional<Map<String, Object>> error) {
    public JobRecord {
        requireNonNull(jobId, "jobId");
        requireNonNull(status, "status");
        requireNonNull(kind, "kind");
        requireNonNull(language, "language");
        requireNonNull(datasource, "datasource");
        requireNonNull(table, "table");
        requireNonNull(requestId, "requestId");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(startedAt, "startedAt");
        requireNonNull(finishedAt, "finishedAt");
        requireNonNull(result, "result");
        requireNonNull(error, "error");
    }

    /** The record without its result or error: what a listing shows. */
    JobRecord withoutPayload() {
        return new JobRecord(jobId, status, kind, language, datasource, table, requestId, createdAt, startedAt,
                finishedAt, Optional.empty(), Optional.empty());
    }

    JobRecord started(Instant at) {
        return new JobRecord(jobId, JobStatus.RUNNING, kind, language, datasource, table, requestId, createdAt,
                Optional.of(at.toString()), finishedAt, result, error);
    }

    JobRecord finished(JobStatus outcome, Instant at, Optional<JsonNode> result, Optional<Map<String, Object>> error) {
        return new JobRecord(jobId, outcome, kind, language, datasource, table, requestId, createdAt, startedAt,
                Optional.of(at.toString()), result, error);
    }
}
