package dev.dea.cache;

import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Everything known about a cached frame without reading its rows; the content of meta.json.
 *
 * @param key        the frame key, a lower-case UUID
 * @param columns    the columns in order
 * @param rowCount   rows stored (after truncation, if any)
 * @param bytes      the column files' bytes added up (meta.json's {@code data_bytes})
 * @param truncated  whether the source had more rows than were kept
 * @param createdAt  when the frame was committed
 * @param provenance what produced the frame
 */
public record FrameMeta(String key, List<ColumnMeta> columns, long rowCount, long bytes, boolean truncated,
                        Instant createdAt, Provenance provenance) {
    public FrameMeta {
        requireNonNull(key, "key");
        columns = List.copyOf(requireNonNull(columns, "columns"));
        requireNonNull(createdAt, "createdAt");
        requireNonNull(provenance, "provenance");
        if (rowCount < 0 || bytes < 0) {
            throw new IllegalArgumentException("rowCount and bytes must not be negative");
        }
    }
}
