package dev.dea.cache;

import dev.dea.frame.ColumnKind;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * One column of a cached frame as meta.json records it.
 *
 * @param name       column label (may repeat within a frame, may be empty)
 * @param kind       logical kind, which fixes the JSON encoding of the values
 * @param sourceType the type as the producer named it, e.g. {@code numeric(10,2)}
 * @param dtype      the pandas dtype the column gets when loaded: {@code kind.pandasDtype(nullCount > 0)}
 * @param stats      {@link dev.dea.frame.ColumnStats#toMap()} in its JSON form: temporal and decimal
 *                   values are their wire strings, integers are {@code Long}; "std" may map to null
 * @param buffers    the column's files in order (docs/frame-format.md, "Columns on disk"); empty for a
 *                   column that describes values not stored in the cache
 */
public record ColumnMeta(String name, ColumnKind kind, String sourceType, String dtype, Map<String, Object> stats,
                         List<Buffer> buffers) {
    /**
     * Source types of decimal columns that hold unsigned 64-bit integers: a step loads them exact
     * ({@code uint64}), not as floats, which would lose every value past 2^53 (dea_frames.UNSIGNED_64).
     */
    public static final Set<String> UNSIGNED_64 = Set.of("bigint unsigned", "bit(64)", "uint64", "UInt64");

    public ColumnMeta {
        requireNonNull(name, "name");
        requireNonNull(kind, "kind");
        requireNonNull(sourceType, "sourceType");
        requireNonNull(dtype, "dtype");
        // Not Map.copyOf: stats legitimately hold null values ("std" of a single value).
        stats = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(stats, "stats")));
        buffers = List.copyOf(requireNonNull(buffers, "buffers"));
    }

    public ColumnMeta(String name, ColumnKind kind, String sourceType, String dtype, Map<String, Object> stats) {
        this(name, kind, sourceType, dtype, stats, List.of());
    }

    /**
     * Whether a step that does not ask for exact decimals loads this column from its {@code float}
     * buffer alone (and {@code valid}): a decimal with floats stored, other than {@link #UNSIGNED_64}.
     */
    public boolean stepLoadsFloats() {
        return kind == ColumnKind.DECIMAL && !UNSIGNED_64.contains(sourceType)
                && buffers.stream().anyMatch(b -> b.name().equals(ColumnLayout.FLOAT));
    }

    /** One buffer of a stored column: {@code <column index>.<name>} in the frame directory, of exactly {@code bytes}. */
    public record Buffer(String name, long bytes) {
        public Buffer {
            requireNonNull(name, "name");
            if (bytes < 0) {
                throw new IllegalArgumentException("buffer size must not be negative");
            }
        }
    }
}
