package dev.dea.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** The audit trail: one JSON line per execution, rotated by size. */
public record AuditSettings(Path path, long maxFileBytes, int maxFiles, boolean includeCode, Fsync fsync) {
    public AuditSettings {
        requireNonNull(path, "path");
        requireNonNull(fsync, "fsync");
    }

    public AuditSettings(Path path, long maxFileBytes, int maxFiles, boolean includeCode) {
        this(path, maxFileBytes, maxFiles, includeCode, Fsync.ALWAYS);
    }

    /** When a written line is forced to disk ({@code AUDIT_FSYNC}, named after Redis's appendfsync). */
    public enum Fsync {
        /** Before the execution is answered: a machine crash loses no acknowledged line. */
        ALWAYS,
        /** In the background once a second: the line is written before the answer, so a crash of the agent loses nothing, a crash of the machine up to a second. */
        EVERYSEC;

        public static Optional<Fsync> parse(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "always" -> Optional.of(ALWAYS);
                case "everysec" -> Optional.of(EVERYSEC);
                default -> Optional.empty();
            };
        }
    }
}
