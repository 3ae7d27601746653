package dev.dea.config;

import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/** The audit trail: one JSON line per execution, rotated by size. */
public record AuditSettings(Path path, long maxFileBytes, int maxFiles, boolean includeCode) {
    public AuditSettings {
        requireNonNull(path, "path");
    }
}
