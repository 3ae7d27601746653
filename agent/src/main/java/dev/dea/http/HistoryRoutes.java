package dev.dea.http;

import dev.dea.error.ErrorType;
import dev.dea.history.ExecutionHistory;
import dev.dea.history.HistoryPage;
import dev.dea.history.HistoryQuery;
import dev.dea.openapi.ApiOperation;
import dev.dea.openapi.ApiTag;
import dev.dea.openapi.SchemaRef;
import io.javalin.http.Context;

/** {@code GET /executions}: what the agent ran, from its audit trail (docs/audit-log.md). */
final class HistoryRoutes {
    private static final ApiTag HISTORY = new ApiTag("history",
            "The executions this agent ran, newest first, from its audit trail (docs/audit-log.md)");
    private static final SchemaRef TEXT = SchemaRef.inline("{\"type\": \"string\"}");

    private final ExecutionHistory history;

    HistoryRoutes(ExecutionHistory history) {
        this.history = history;
    }

    void register(ApiRoutes api) {
        api.add(ApiOperation.get("/executions").tag(HISTORY)
                .summary("The executions the agent ran, filtered and paged")
                .description("The most recent " + ExecutionHistory.DEFAULT_CAPACITY + " executions of the audit trail "
                        + "(read back at start-up). Each: request id, kind, datasource, the code's SHA-256 and first line "
                        + "(when the trail keeps code), status, error type, duration, rows, cache key, parent keys, caller. "
                        + "Page with `cursor` = the previous page's `next_cursor`.")
                .queryParam("from", "Only executions at or after this ISO-8601 instant", SchemaRef.inline(
                        "{\"type\": \"string\", \"format\": \"date-time\"}"))
                .queryParam("to", "Only executions before this ISO-8601 instant", SchemaRef.inline(
                        "{\"type\": \"string\", \"format\": \"date-time\"}"))
                .queryParam("status", "success, rejected, error or timeout", SchemaRef.inline(
                        "{\"type\": \"string\", \"enum\": [\"success\", \"rejected\", \"error\", \"timeout\"]}"))
                .queryParam("kind", "sql, python or upload", SchemaRef.inline(
                        "{\"type\": \"string\", \"enum\": [\"sql\", \"python\", \"upload\"]}"))
                .queryParam("datasource", "Only executions on this datasource", TEXT)
                .queryParam("order", "desc (newest first, the default) or asc", SchemaRef.inline(
                        "{\"type\": \"string\", \"enum\": [\"desc\", \"asc\"], \"default\": \"desc\"}"))
                .queryParam("limit", "Page size", SchemaRef.inline("{\"type\": \"integer\", \"minimum\": 1, \"maximum\": "
                        + HistoryQuery.MAX_LIMIT + ", \"default\": " + HistoryQuery.DEFAULT_LIMIT + "}"))
                .queryParam("cursor", "The previous page's next_cursor", TEXT)
                .ok("One page of executions", SchemaRef.of(HistoryPage.class))
                .errors(ErrorType.VALIDATION_ERROR).build(), this::list);
    }

    void list(Context ctx) {
        HistoryQuery q = HistoryQuery.parse(ctx.queryParam("from"), ctx.queryParam("to"), ctx.queryParam("status"),
                ctx.queryParam("kind"), ctx.queryParam("datasource"), ctx.queryParam("order"), ctx.queryParam("limit"),
                ctx.queryParam("cursor"));
        ctx.json(history.query(q));
    }
}
