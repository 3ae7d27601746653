package dev.dea.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;
import java.util.Optional;

/**
 * One page of the history.
 *
 * @param nextCursor present when more entries match: pass it as {@code cursor} for the next page
 * @param retained   how many executions the history holds in all (it keeps the most recent ones)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record HistoryPage(List<HistoryEntry> executions, Optional<String> nextCursor, int retained) {
    public HistoryPage {
        executions = List.copyOf(executions);
    }
}
