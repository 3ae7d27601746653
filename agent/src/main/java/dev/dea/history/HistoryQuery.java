package dev.dea.history;

import dev.dea.paging.Paging;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * A page request on the history, parsed from the route's query parameters with every problem
 * reported at once.
 *
 * @param from     only executions at or after this instant
 * @param to       only executions before this instant
 * @param newestFirst the order ({@code order=desc}, the default, or {@code asc})
 * @param after    the cursor: the position of the last entry of the previous page
 */
public record HistoryQuery(Optional<Instant> from, Optional<Instant> to, Optional<String> status,
                           Optional<String> kind, Optional<String> datasource, boolean newestFirst, int limit,
                           Optional<Position> after) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    static final Set<String> STATUSES = Set.of("success", "rejected", "error", "timeout");
    static final Set<String> KINDS = Set.of("sql", "python", "upload");

    /** Where a page ended: an entry's time and request id, stable across restarts of the agent. */
    public record Position(Instant time, String requestId) {
        public Position {
            requireNonNull(time, "time");
            requireNonNull(requestId, "requestId");
        }

        String cursor() {
            return Paging.cursor(time.toString(), requestId);
        }
    }

    public HistoryQuery {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        requireNonNull(status, "status");
        requireNonNull(kind, "kind");
        requireNonNull(datasource, "datasource");
        requireNonNull(after, "after");
    }

    /** From the query parameters (absent ones are null); VALIDATION_ERROR naming every bad one. */
    public static HistoryQuery parse(String from, String to, String status, String kind, String datasource,
                                     String order, String limit, String cursor) {
        List<String> problems = new ArrayList<>();
        Optional<Instant> fromTime = instant("from", from, problems);
        Optional<Instant> toTime = instant("to", to, problems);
        if (status != null && !STATUSES.contains(status)) {
            problems.add("status must be one of success, rejected, error, timeout; got '" + status + "'");
        }
        if (kind != null && !KINDS.contains(kind)) {
            problems.add("kind must be sql, python or upload; got '" + kind + "'");
        }
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            problems.add("order must be asc or desc; got '" + order + "'");
        }
        int pageSize = Paging.limit(limit, DEFAULT_LIMIT, MAX_LIMIT, problems);
        Optional<Position> after = cursor == null ? Optional.empty() : position(cursor);
        if (cursor != null && after.isEmpty()) {
            problems.add(Paging.BAD_CURSOR);
        }
        Paging.check(problems);
        return new HistoryQuery(fromTime, toTime, Optional.ofNullable(status), Optional.ofNullable(kind),
                Optional.ofNullable(datasource), !"asc".equals(order), pageSize, after);
    }

    private static Optional<Instant> instant(String name, String value, List<String> problems) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            problems.add(name + " must be an ISO-8601 instant such as 2026-12-05T08:00:00Z; got '" + value + "'");
            return Optional.empty();
        }
    }

    private static Optional<Position> position(String cursor) {
        try {
            return Paging.parts(cursor, 2).map(p -> new Position(Instant.parse(p.get(0)), p.get(1)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    boolean matches(HistoryEntry e) {
        return from.map(f -> !e.time().isBefore(f)).orElse(true)
                && to.map(t -> e.time().isBefore(t)).orElse(true)
                && status.map(e.status()::equals).orElse(true)
                && kind.map(e.kind()::equals).orElse(true)
                && datasource.map(d -> e.datasource().map(d::equals).orElse(false)).orElse(true);
    }
}
