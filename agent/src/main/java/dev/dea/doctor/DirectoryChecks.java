package dev.dea.doctor;

import dev.dea.config.AuditSettings;
import dev.dea.config.CacheConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The agent's own disk: the frame cache and the audit trail. A directory counts as writable
 * only when a probe file can really be created and deleted there (permissions alone say
 * nothing for root or on a read-only mount). Directories the agent would create are created
 * for the probe and removed again, so the doctor leaves nothing behind.
 */
final class DirectoryChecks {
    static final String CACHE = "cache directory";
    static final String AUDIT = "audit log directory";
    static final long MIN_FREE_BYTES = 1L << 30;

    private DirectoryChecks() {
    }

    static List<Check> run(CacheConfig cache, AuditSettings audit) {
        return List.of(cache(cache), audit(audit));
    }

    private static Check cache(CacheConfig cache) {
        Path dir = cache.dir();
        Optional<String> problem = probe(dir);
        if (problem.isPresent()) {
            return Check.fail(CACHE, dir + " is not writable: " + problem.get(),
                    "set CACHE_DIR to a directory the agent's user may write, or fix its owner and permissions");
        }
        long free;
        try {
            free = Files.getFileStore(nearestExisting(dir)).getUsableSpace();
        } catch (IOException e) {
            return Check.warn(CACHE, dir + " is writable, but its free space is unknown: " + e.getMessage(),
                    "check the disk with df");
        }
        long needed = Math.max(cache.maxBytes(), MIN_FREE_BYTES);
        if (free < needed) {
            String limit = cache.maxBytes() >= MIN_FREE_BYTES ? "CACHE_MAX_BYTES (" + size(cache.maxBytes()) + ")" : size(MIN_FREE_BYTES);
            return Check.warn(CACHE, dir + " is writable, but only " + size(free) + " is free, less than " + limit,
                    "free disk space, or lower CACHE_MAX_BYTES so the cache evicts before the disk fills");
        }
        return Check.ok(CACHE, dir + " is writable, " + size(free) + " free (CACHE_MAX_BYTES " + size(cache.maxBytes()) + ")");
    }

    private static Check audit(AuditSettings audit) {
        Path dir = audit.path().getParent();
        Optional<String> problem = probe(dir);
        return problem.map(p -> Check.fail(AUDIT, dir + " is not writable: " + p,
                        "set AUDIT_LOG_PATH to a file in a directory the agent's user may write, or fix its owner and permissions"))
                .orElseGet(() -> Check.ok(AUDIT, dir + " is writable"));
    }

    /** Empty when a file can be created and deleted in {@code dir}; else why not. */
    static Optional<String> probe(Path dir) {
        Deque<Path> created = new ArrayDeque<>();
        try {
            for (Path missing = dir; missing != null && !Files.exists(missing); missing = missing.getParent()) {
                created.push(missing);
            }
            for (Path p : created) {
                Files.createDirectory(p);
            }
            Path probe = dir.resolve(".dea-doctor-" + UUID.randomUUID());
            Files.createFile(probe);
            Files.delete(probe);
            return Optional.empty();
        } catch (IOException | SecurityException e) {
            return Optional.of(describe(e));
        } finally {
            // Deepest first; only what this probe created.
            while (!created.isEmpty()) {
                try {
                    Files.deleteIfExists(created.pollLast());
                } catch (IOException e) {
                    // a directory someone filled meanwhile stays
                }
            }
        }
    }

    private static Path nearestExisting(Path dir) {
        Path p = dir;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? dir.getRoot() : p;
    }

    private static String describe(Exception e) {
        String kind = switch (e) {
            case java.nio.file.AccessDeniedException a -> "permission denied";
            case java.nio.file.FileAlreadyExistsException f -> "a file, not a directory, is in the way";
            case java.nio.file.NotDirectoryException n -> "a file, not a directory, is in the way";
            case java.nio.file.FileSystemException f when f.getReason() != null -> f.getReason();
            default -> e.getClass().getSimpleName();
        };
        String file = e instanceof java.nio.file.FileSystemException f && f.getFile() != null ? " (" + f.getFile() + ")" : "";
        return kind + file;
    }

    static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return bytes + " bytes";
    }
}

