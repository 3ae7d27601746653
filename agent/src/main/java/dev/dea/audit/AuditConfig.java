package dev.dea.audit;

import dev.dea.config.AuditSettings;

import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * Where and how the audit trail is written.
 *
 * @param path         the current file, e.g. {@code data/audit/audit.log}; rotated files are
 *                     {@code audit.log.1} (newest) .. {@code audit.log.<maxFiles>} (oldest)
 * @param maxFileBytes a file never grows beyond this, except a single line larger than the
 *                     limit, which goes alone into a fresh file
 * @param maxFiles     how many rotated files are kept besides the current one (at least 1:
 *                     rotation must never be a way to delete the line just written)
 * @param includeCode  whether lines carry the executed code; its SHA-256 is always written
 * @param fsync        whether {@link AuditLog#append} forces each line to disk before it returns,
 *                     or a background thread does so once a second
 */
public record AuditConfig(Path path, long maxFileBytes, int maxFiles, boolean includeCode, AuditSettings.Fsync fsync) {
    public AuditConfig {
        requireNonNull(path, "path");
        requireNonNull(fsync, "fsync");
        if (path.getFileName() == null) {
            throw new IllegalArgumentException("audit path must name a file: " + path);
        }
        if (maxFileBytes <= 0) {
            throw new IllegalArgumentException("maxFileBytes must be positive: " + maxFileBytes);
        }
        if (maxFiles < 1) {
            throw new IllegalArgumentException("maxFiles must be at least 1: " + maxFiles);
        }
    }

    public AuditConfig(Path path, long maxFileBytes, int maxFiles, boolean includeCode) {
        this(path, maxFileBytes, maxFiles, includeCode, AuditSettings.Fsync.ALWAYS);
    }

    /** The agent's configuration ({@code AUDIT_LOG_PATH}, {@code AUDIT_MAX_FILE_BYTES}, ...). */
    public static AuditConfig from(AuditSettings settings) {
        requireNonNull(settings, "settings");
        return new AuditConfig(settings.path(), settings.maxFileBytes(), settings.maxFiles(), settings.includeCode(), settings.fsync());
    }
}
