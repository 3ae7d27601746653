package dev.dea.history;

import dev.dea.audit.AuditEvent;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExecutionHistoryTest {
    private static final Instant T0 = Instant.parse("2026-12-05T08:00:00Z");

    @TempDir
    Path dir;

    private static AuditEvent event(int second, String language, String outcome, String code) {
        return AuditEvent.builder(language, code).time(T0.plusSeconds(second))
                .requestId("req-" + second).callerAddress("10.0.0.1")
                .outcome(outcome, outcome.equals(AuditEvent.SUCCESS) ? null : "SQL_ERROR").rows(second).build();
    }

    private static HistoryQuery query(String status, String kind, String order, String limit, String cursor) {
        return HistoryQuery.parse(null, null, status, kind, null, order, limit, cursor);
    }

    @Test
    void pagesNewestFirstWithACursorThatNeitherRepeatsNorSkips() {
        ExecutionHistory h = new ExecutionHistory(100, true);
        for (int i = 0; i < 7; i++) {
            h.record(event(i, AuditEvent.SQL, AuditEvent.SUCCESS, "SELECT " + i));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            HistoryPage page = h.query(query(null, null, null, "3", cursor));
            page.executions().forEach(e -> seen.add(e.requestId()));
            cursor = page.nextCursor().orElse(null);
        } while (cursor != null);
        assertThat(seen).containsExactly("req-6", "req-5", "req-4", "req-3", "req-2", "req-1", "req-0");
        assertThat(h.query(query(null, null, "asc", "2", null)).executions())
                .extracting(HistoryEntry::requestId).containsExactly("req-0", "req-1");
    }

    @Test
    void filtersByStatusKindAndTimeRange() {
        ExecutionHistory h = new ExecutionHistory(100, true);
        h.record(event(1, AuditEvent.SQL, AuditEvent.SUCCESS, "SELECT 1"));
        h.record(event(2, AuditEvent.PYTHON, AuditEvent.ERROR, "raise ValueError()"));
        h.record(event(3, AuditEvent.SQL, AuditEvent.REJECTED, "DROP TABLE t"));
        assertThat(h.query(query("rejected", null, null, null, null)).executions())
                .extracting(HistoryEntry::requestId).containsExactly("req-3");
        assertThat(h.query(query(null, "python", null, null, null)).executions())
                .extracting(HistoryEntry::requestId).containsExactly("req-2");
        HistoryQuery range = HistoryQuery.parse(T0.plusSeconds(2).toString(), T0.plusSeconds(3).toString(),
                null, null, null, null, null, null);
        assertThat(h.query(range).executions()).extracting(HistoryEntry::requestId).containsExactly("req-2");
    }

    @Test
    void keepsOnlyTheMostRecentEntriesAndTheFirstLineOnlyWhenTheTrailKeepsCode() {
        ExecutionHistory h = new ExecutionHistory(3, false);
        for (int i = 0; i < 5; i++) {
            h.record(event(i, AuditEvent.SQL, AuditEvent.SUCCESS, "SELECT " + i));
        }
        HistoryPage page = h.query(query(null, null, null, null, null));
        assertThat(page.retained()).isEqualTo(3);
        assertThat(page.executions()).extracting(HistoryEntry::requestId).containsExactly("req-4", "req-3", "req-2");
        assertThat(page.executions().getFirst().codeFirstLine()).isEmpty();
        assertThat(page.executions().getFirst().codeSha256()).isEqualTo(AuditEvent.builder("sql", "SELECT 4").build().codeSha256());

        ExecutionHistory withCode = new ExecutionHistory(3, true);
        withCode.record(event(1, AuditEvent.PYTHON, AuditEvent.SUCCESS, "\nimport pandas as pd\nresult_df = 1"));
        assertThat(withCode.query(query(null, null, null, null, null)).executions().getFirst().codeFirstLine())
                .contains("import pandas as pd");
    }

    @Test
    void readsTheTrailBackNewestFileFirstAndSkipsATornLine() throws Exception {
        Path current = dir.resolve("audit.log");
        Files.writeString(dir.resolve("audit.log.2"), line(1) + line(2));
        Files.writeString(dir.resolve("audit.log.1"), line(3) + "{\"time\": \"2026-12-05T08:00:04Z\", \"requ\n" + line(5));
        Files.writeString(current, line(6) + line(7));
        ExecutionHistory h = new ExecutionHistory(4, true);
        assertThat(h.load(current, 5)).isEqualTo(4);
        assertThat(h.query(query(null, null, "asc", null, null)).executions())
                .extracting(HistoryEntry::requestId).containsExactly("req-3", "req-5", "req-6", "req-7");
        HistoryEntry first = h.query(query(null, null, "asc", null, null)).executions().getFirst();
        assertThat(first.codeFirstLine()).contains("SELECT 3");
        assertThat(first.datasource()).contains("sales");
        assertThat(first.parentKeys()).containsExactly("k1");
    }

    @Test
    void badParametersAreOneValidationErrorNamingEach() {
        assertThatThrownBy(() -> HistoryQuery.parse("yesterday", null, "done", "r", null, "up", "0", "!!"))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.type()).isEqualTo(ErrorType.VALIDATION_ERROR);
                    assertThat(e.getMessage()).contains("from", "status", "kind", "order", "limit", "cursor");
                });
    }

    private static String line(int second) {
        return "{\"time\":\"" + T0.plusSeconds(second) + "\",\"request_id\":\"req-" + second
                + "\",\"caller_address\":\"10.0.0.1\",\"language\":\"sql\",\"datasource\":\"sales\",\"code_sha256\":\""
                + "0".repeat(64) + "\",\"code\":\"SELECT " + second + "\",\"tables_touched\":[],\"outcome\":\"success\","
                + "\"error_type\":null,\"rows\":1,\"duration_ms\":2.5,\"cache_keys_read\":[\"k1\"],"
                + "\"cache_key_written\":\"k2\"}\n";
    }
}
