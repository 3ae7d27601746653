package dev.dea.jobs;

import dev.dea.paging.Paging;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /jobs}: the jobs whose records the agent keeps (docs/jobs.md, "Records and
 * restarts"), newest first, without their results ({@code GET /jobs/{id}} has them).
 */
public final class JobList {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    // Instants, not their text: Instant.toString drops trailing zeros of the fraction, so text misorders.
    private static final Comparator<JobRecord> NEWEST_FIRST = Comparator.comparing((JobRecord r) -> Instant.parse(r.createdAt()))
            .thenComparing(JobRecord::jobId).reversed();

    private JobList() {
    }

    /** Filters and the page; {@code after}: the previous page's last job as (created_at, job_id). */
    public record Query(Optional<JobStatus> status, Optional<String> kind, int limit, Optional<List<String>> after) {
        public Query {
            requireNonNull(status, "status");
            requireNonNull(kind, "kind");
            requireNonNull(after, "after");
        }

        /** From the query parameters (absent ones null); one VALIDATION_ERROR naming every bad one. */
        public static Query parse(String status, String kind, String limit, String cursor) {
            List<String> problems = new ArrayList<>();
            Optional<JobStatus> s = Optional.empty();
            if (status != null) {
                try {
                    s = Optional.of(JobStatus.parse(status));
                } catch (IllegalArgumentException e) {
                    problems.add("status must be one of queued, running, succeeded, failed, cancelled, interrupted; got '"
                            + Paging.abbreviate(status) + "'");
                }
            }
            if (kind != null && !List.of("execute", "execute-on-data", "profile").contains(kind)) {
                problems.add("kind must be execute, execute-on-data or profile; got '" + Paging.abbreviate(kind) + "'");
            }
            int size = Paging.limit(limit, DEFAULT_LIMIT, MAX_LIMIT, problems);
            // The position's time is checked here: a cursor that decodes but holds none is as bad as one that does not.
            Optional<List<String>> after = cursor == null ? Optional.empty()
                    : Paging.parts(cursor, 2).filter(p -> isInstant(p.get(0)));
            if (cursor != null && after.isEmpty()) {
                problems.add(Paging.BAD_CURSOR);
            }
            Paging.check(problems);
            return new Query(s, Optional.ofNullable(kind), size, after);
        }

    }

    /** One page; {@code nextCursor} present when more jobs match. */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_ABSENT)
    public record Page(List<JobRecord> jobs, Optional<String> nextCursor) {
    }

    static Page page(Collection<JobRecord> all, Query q) {
        List<JobRecord> matching = new ArrayList<>();
        for (JobRecord r : all) {
            if (q.status().map(st -> st == r.status()).orElse(true) && q.kind().map(r.kind()::equals).orElse(true)
                    && q.after().map(a -> isAfter(r, a)).orElse(true)) {
                matching.add(r);
            }
        }
        matching.sort(NEWEST_FIRST);
        List<JobRecord> page = matching.subList(0, Math.min(q.limit(), matching.size()));
        Optional<String> next = matching.size() > page.size()
                ? Optional.of(Paging.cursor(page.getLast().createdAt(), page.getLast().jobId())) : Optional.empty();
        return new Page(List.copyOf(page), next);
    }

    private static boolean isInstant(String text) {
        try {
            Instant.parse(text);
            return true;
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    /** Whether {@code r} comes after the cursor's job, newest first (the cursor's time was checked by parse). */
    private static boolean isAfter(JobRecord r, List<String> cursor) {
        int c = Instant.parse(r.createdAt()).compareTo(Instant.parse(cursor.get(0)));
        return c < 0 || (c == 0 && r.jobId().compareTo(cursor.get(1)) < 0);
    }
}
