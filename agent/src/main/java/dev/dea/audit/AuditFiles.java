package dev.dea.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** The audit log's files on disk: the rotated names, the renames of a rotation, durability of both. */
final class AuditFiles {
    private static final Logger log = LoggerFactory.getLogger(AuditFiles.class);

    private AuditFiles() {
    }

    /** {@code audit.log.<n>}. */
    static Path rotated(Path path, int n) {
        return path.resolveSibling(path.getFileName() + "." + n);
    }

    /**
     * Moves each rotated file one number up (the one at {@code maxFiles} is deleted) and the
     * current file to {@code .1}; the caller has closed it and opens a new one.
     */
    static void shift(Path path, int maxFiles) throws IOException {
        Files.deleteIfExists(rotated(path, maxFiles));
        for (int i = maxFiles - 1; i >= 1; i--) {
            Path from = rotated(path, i);
            if (Files.exists(from)) {
                Files.move(from, rotated(path, i + 1), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        if (Files.exists(path)) {
            Files.move(path, rotated(path, 1), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** The file's last byte; it must not be empty. */
    static byte lastByte(Path path) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "r")) {
            file.seek(file.length() - 1);
            return file.readByte();
        }
    }

    /** Makes renames and new entries in the file's directory durable, where the platform can. */
    static void syncDirectory(Path path) {
        // Linux supports syncing a directory, some platforms do not.
        try (FileChannel dir = FileChannel.open(path.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | RuntimeException e) {
            log.debug("Cannot sync directory {}: {}", path.getParent(), e.toString());
        }
    }
}
