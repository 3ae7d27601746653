package dev.dea.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One execution as {@code GET /executions} lists it: what the audit trail recorded, without
 * the code itself (its hash, and its first line when the trail keeps code).
 *
 * @param time       when the execution finished (ISO-8601, UTC)
 * @param kind       {@code sql} or {@code python}
 * @param status     the audit outcome: {@code success}, {@code rejected}, {@code error} or {@code timeout}
 * @param parentKeys the frames the execution read
 * @param caller     the remote address of the request
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record HistoryEntry(@JsonSerialize(using = ToStringSerializer.class) Instant time, String requestId, String kind, Optional<String> datasource,
                           String codeSha256, Optional<String> codeFirstLine, String status,
                           Optional<String> errorType, double durationMs, long rows, Optional<String> cacheKey,
                           List<String> parentKeys, String caller) {
    public HistoryEntry {
        requireNonNull(time, "time");
        requireNonNull(requestId, "requestId");
        requireNonNull(kind, "kind");
        requireNonNull(datasource, "datasource");
        requireNonNull(codeSha256, "codeSha256");
        requireNonNull(codeFirstLine, "codeFirstLine");
        requireNonNull(status, "status");
        requireNonNull(errorType, "errorType");
        requireNonNull(cacheKey, "cacheKey");
        parentKeys = List.copyOf(requireNonNull(parentKeys, "parentKeys"));
        requireNonNull(caller, "caller");
    }
}
