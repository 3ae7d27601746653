package dev.dea.frame;

import static java.util.Objects.requireNonNull;

/**
 * One column of a frame: its name, logical kind and the source type as the database
 * (or pandas) named it, e.g. {@code numeric(10,2)} or {@code _text}.
 */
public record FrameColumn(String name, ColumnKind kind, String sourceType) {
    public FrameColumn {
        requireNonNull(name, "name");
        requireNonNull(kind, "kind");
        requireNonNull(sourceType, "sourceType");
    }
}
