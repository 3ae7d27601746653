package dev.dea.cache;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.dea.paging.Paging;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * {@code GET /frames}: the live frames, most recently used first, a page at a time. Listing is
 * no use: it never moves a frame in the LRU order or extends its life. Only the page's metas
 * are read (and, with a filter, those scanned to fill it), so the cost follows the page.
 */
public final class FrameListing {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    /** What a frame's provenance kind may be: the values the kind filter takes. */
    public static final List<String> KINDS = List.of("sql", "python", "upload", "inline");

    private FrameListing() {
    }

    /** Which frames, how many, from where. {@code after}: the previous page's last (last use, key). */
    public record Query(Optional<String> kind, Optional<String> parent, int limit, Optional<Position> after) {
        public Query {
            requireNonNull(kind, "kind");
            requireNonNull(parent, "parent");
            requireNonNull(after, "after");
        }

        /** From query parameters (absent ones null); one VALIDATION_ERROR naming every bad one. */
        public static Query parse(String kind, String parent, String limit, String cursor) {
            List<String> problems = new ArrayList<>();
            if (kind != null && !KINDS.contains(kind)) {
                problems.add("kind must be one of " + String.join(", ", KINDS) + "; got '" + kind + "'");
            }
            if (parent != null && !FrameKeys.isValid(parent)) {
                problems.add("parent must be a cache key (a lower-case UUID); got '" + parent + "'");
            }
            int size = Paging.limit(limit, DEFAULT_LIMIT, MAX_LIMIT, problems);
            Optional<Position> after = cursor == null ? Optional.empty() : Position.of(cursor);
            if (cursor != null && after.isEmpty()) {
                problems.add(Paging.BAD_CURSOR);
            }
            Paging.check(problems);
            return new Query(Optional.ofNullable(kind), Optional.ofNullable(parent), size, after);
        }
    }

    /** A place in the most-recently-used-first order. */
    public record Position(long lastUsedMillis, String key) {
        String cursor() {
            return Paging.cursor(Long.toString(lastUsedMillis), key);
        }

        static Optional<Position> of(String cursor) {
            try {
                return Paging.parts(cursor, 2).map(p -> new Position(Long.parseLong(p.get(0)), p.get(1)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        /** Whether {@code other} comes after this position, most recently used first. */
        boolean before(long otherLastUsed, String otherKey) {
            return otherLastUsed < lastUsedMillis || (otherLastUsed == lastUsedMillis && otherKey.compareTo(key) > 0);
        }
    }

    /** What produced a listed frame, without its (possibly long) code: the first line. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    public record Origin(String kind, String sourceFirstLine, List<String> parentKeys, Optional<String> requestId) {
    }

    /** One frame of the list. {@code bytes}: its size on disk; {@code expiresAt}: when unused until then. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Listed(String cacheKey, long rowCount, List<String> columns, boolean truncated, long bytes,
                         String createdAt, String lastUsedAt, String expiresAt, Origin provenance) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    public record Page(List<Listed> frames, Optional<String> nextCursor, int total) {
    }

    static Page page(List<FrameIndex.Listed> newestFirst, Function<String, Optional<FrameMeta>> metas, Query q,
                     Duration ttl, Instant now) {
        List<Listed> page = new ArrayList<>();
        long expiredBefore = now.toEpochMilli() - ttl.toMillis();
        Optional<String> next = Optional.empty();
        for (FrameIndex.Listed f : newestFirst) {
            // Expired but not yet evicted: gone for every other route too.
            if (f.lastAccess() < expiredBefore
                    || (q.after().isPresent() && !q.after().get().before(f.lastAccess(), f.key()))) {
                continue;
            }
            Optional<FrameMeta> meta = metas.apply(f.key());
            if (meta.isEmpty() || !matches(meta.get(), q)) {
                continue;
            }
            if (page.size() == q.limit()) {
                Listed last = page.getLast();
                next = Optional.of(new Position(Instant.parse(last.lastUsedAt()).toEpochMilli(), last.cacheKey()).cursor());
                break;
            }
            page.add(listed(meta.get(), f, ttl));
        }
        return new Page(page, next, newestFirst.size());
    }

    private static boolean matches(FrameMeta m, Query q) {
        return q.kind().map(m.provenance().kind()::equals).orElse(true)
                && q.parent().map(m.provenance().parentKeys()::contains).orElse(true);
    }

    private static Listed listed(FrameMeta m, FrameIndex.Listed f, Duration ttl) {
        Provenance p = m.provenance();
        String first = Provenance.firstLine(p.source());
        Instant lastUsed = Instant.ofEpochMilli(f.lastAccess());
        return new Listed(m.key(), m.rowCount(), m.columns().stream().map(ColumnMeta::name).toList(), m.truncated(),
                f.diskBytes(), m.createdAt().toString(), lastUsed.toString(), lastUsed.plus(ttl).toString(),
                new Origin(p.kind(), first, p.parentKeys(), p.requestId()));
    }
}
