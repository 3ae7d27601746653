package dev.dea.upload.source;

import dev.dea.frame.ColumnKind;

import static java.util.Objects.requireNonNull;

/** A column kind a file states itself, with the type name it used (e.g. {@code decimal(10,2)}). */
public record Declared(ColumnKind kind, String sourceType) {
    public Declared {
        requireNonNull(kind, "kind");
        requireNonNull(sourceType, "sourceType");
    }
}
