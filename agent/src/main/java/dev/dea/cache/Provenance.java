package dev.dea.cache;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Where a frame came from: the SQL or Python code that produced it, the frames it was
 * computed from (empty for SQL) and the request that asked for it. Kept in meta.json so a
 * frame stays explainable after a restart.
 *
 * @param kind       {@code "sql"} or {@code "python"}
 * @param source     the SQL statement or the Python code, verbatim
 * @param parentKeys keys of the frames this one was computed from, in input order
 * @param requestId  the request id of the call that produced the frame, if known
 */
public record Provenance(String kind, String source, List<String> parentKeys, Optional<String> requestId) {
    public Provenance {
        requireNonNull(kind, "kind");
        requireNonNull(source, "source");
        parentKeys = List.copyOf(requireNonNull(parentKeys, "parentKeys"));
        requireNonNull(requestId, "requestId");
    }

    public static Provenance sql(String sql, Optional<String> requestId) {
        return new Provenance("sql", sql, List.of(), requestId);
    }

    public static Provenance python(String code, List<String> parentKeys, Optional<String> requestId) {
        return new Provenance("python", code, parentKeys, requestId);
    }
}
