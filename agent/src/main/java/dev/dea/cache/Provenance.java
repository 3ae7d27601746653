package dev.dea.cache;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Where a frame came from: the SQL or Python code that produced it, the frames it was
 * computed from (empty for SQL) and the request that asked for it. Kept in meta.json so a
 * frame stays explainable after a restart.
 *
 * @param kind       {@code "sql"}, {@code "python"}, {@code "upload"} (a file sent to POST /frames; the source
 *                   is its name) or {@code "inline"} (an execute request's input_data)
 * @param source     the SQL statement or the Python code, verbatim
 * @param parentKeys keys of the frames this one was computed from, in input order
 * @param requestId  the request id of the call that produced the frame, if known
 * @param datasource the datasource a SQL frame was read from (empty for other frames and for
 *                   frames cached before datasources had names)
 */
public record Provenance(String kind, String source, List<String> parentKeys, Optional<String> requestId,
                         Optional<String> datasource) {
    public Provenance {
        requireNonNull(kind, "kind");
        requireNonNull(source, "source");
        parentKeys = List.copyOf(requireNonNull(parentKeys, "parentKeys"));
        requireNonNull(requestId, "requestId");
        requireNonNull(datasource, "datasource");
    }

    /** Not read from a datasource. */
    public Provenance(String kind, String source, List<String> parentKeys, Optional<String> requestId) {
        this(kind, source, parentKeys, requestId, Optional.empty());
    }

    /** A listing shows code by its first line, cut here: it identifies the code, it does not reproduce it. */
    public static final int FIRST_LINE_MAX_CHARS = 200;

    /** The first non-blank line of {@code code}, at most {@link #FIRST_LINE_MAX_CHARS} characters (then "…"). */
    public static String firstLine(String code) {
        String first = code.strip().lines().findFirst().orElse("");
        return first.length() > FIRST_LINE_MAX_CHARS ? first.substring(0, FIRST_LINE_MAX_CHARS) + "…" : first;
    }

    public static Provenance sql(String sql, Optional<String> requestId) {
        return new Provenance("sql", sql, List.of(), requestId);
    }

    public static Provenance sql(String sql, String datasource, Optional<String> requestId) {
        return new Provenance("sql", sql, List.of(), requestId, Optional.of(datasource));
    }

    public static Provenance python(String code, List<String> parentKeys, Optional<String> requestId) {
        return new Provenance("python", code, parentKeys, requestId);
    }
}
