package dev.dea.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.dea.error.AgentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The cache's directory layout: {@code frames/<key>/} for published frames,
 * {@code tmp/} for frames being written or deleted, and a {@code .lock} file that keeps
 * a second process from using (and, at its startup, cleaning) the same directory.
 */
final class CacheDirectory {
    // Logged under FrameCache: operators configure and read one logger for the cache.
    private static final Logger log = LoggerFactory.getLogger(FrameCache.class);

    /**
     * A frame found complete on disk at startup. Its meta.json is parsed to validate the
     * frame, but the {@link FrameMeta} is not kept: the index must stay small.
     */
    record Found(String key, long diskBytes, long lastAccessMillis) {
    }

    /** What startup found: the complete frames, and how many leftovers it deleted. */
    record Scan(List<Found> frames, int removed) {
    }

    private final Path root;
    private final Path framesDir;
    private final Path tmpDir;
    private final MetaFile metaFile;
    private final FileChannel lockChannel;
    private final FileLock lock;

    CacheDirectory(Path root, MetaFile metaFile) {
        this.root = root;
        this.framesDir = root.resolve("frames");
        this.tmpDir = root.resolve("tmp");
        this.metaFile = metaFile;
        try {
            Files.createDirectories(framesDir);
            Files.createDirectories(tmpDir);
            this.lockChannel = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw AgentException.internal("Cannot prepare the frame cache directory " + root, e);
        }
        this.lock = lock();
    }

    Path frameDir(String key) {
        return framesDir.resolve(key);
    }

    Path metaFile(String key) {
        return framesDir.resolve(key).resolve(MetaFile.META);
    }

    Path tempDir(String key) {
        return tmpDir.resolve(key);
    }

    /** Atomically makes a written temp directory the frame's directory. */
    void publish(Path temp, String key) throws IOException {
        Files.move(temp, frameDir(key), StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * meta.json goes first: from then on startup treats the directory as debris, and lookups
     * already miss (the index forgot the frame before this is called). Then the column files
     * and the directory, without renaming into tmp/ first: once the cache is full every commit
     * evicts a frame (bench (b)).
     */
    void deleteFrame(String key) {
        Path dir = frameDir(key);
        try {
            Files.delete(dir.resolve(MetaFile.META));
        } catch (IOException e) {
            log.debug("Deleting meta.json of frame {} failed ({}); deleting its tree", key, e.toString());
        }
        discard(dir);
    }

    void discard(Path path) {
        try {
            FrameFiles.deleteTree(path);
        } catch (IOException e) {
            log.warn("Could not delete frame cache files {}: {}", path, e.toString());
        }
    }

    /**
     * Deletes everything under tmp/ (frames whose writer never committed, half-deleted
     * ones), then reads every frame directory; those that are not complete (meta.json
     * missing or corrupt, a column file missing or of another size than meta.json records)
     * are deleted too, and so are frames of the previous format (version 1, JSON rows), with
     * one log line for all of them.
     */
    Scan scan() {
        int[] removed = {clearTemp()};
        List<Found> found = loadFrames(removed);
        return new Scan(List.copyOf(found), removed[0]);
    }

    private int clearTemp() {
        int removed = 0;
        try (DirectoryStream<Path> children = Files.newDirectoryStream(tmpDir)) {
            for (Path child : children) {
                discard(child);
                removed++;
            }
        } catch (IOException e) {
            throw AgentException.internal("Cannot list the frame cache directory " + tmpDir, e);
        }
        return removed;
    }

    private List<Found> loadFrames(int[] removed) {
        List<Found> found = new ArrayList<>();
        int previousFormat = 0;
        try (DirectoryStream<Path> children = Files.newDirectoryStream(framesDir)) {
            for (Path child : children) {
                String name = child.getFileName().toString();
                try {
                    found.add(loadFrame(child, name));
                } catch (MetaFile.PreviousFormatException e) {
                    discard(child);
                    removed[0]++;
                    previousFormat++;
                } catch (IOException | RuntimeException e) {
                    log.warn("Deleting incomplete or corrupt frame directory {}: {}", name, reason(e));
                    discard(child);
                    removed[0]++;
                }
            }
        } catch (IOException e) {
            throw AgentException.internal("Cannot list the frame cache directory " + framesDir, e);
        }
        if (previousFormat > 0) {
            log.info("Removed {} cached frames of the previous format (JSON rows, version 1); their steps must be rerun",
                    previousFormat);
        }
        return found;
    }

    private Found loadFrame(Path dir, String name) throws IOException {
        if (!FrameKeys.isValid(name) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("not a frame directory");
        }
        Path metaPath = dir.resolve(MetaFile.META);
        FrameMeta meta = metaFile.parse(Files.readAllBytes(metaPath));
        if (!meta.key().equals(name)) {
            throw new IOException("meta.json belongs to another frame");
        }
        for (int i = 0; i < meta.columns().size(); i++) {
            for (ColumnMeta.Buffer b : meta.columns().get(i).buffers()) {
                String file = ColumnLayout.fileName(i, b.name());
                long size = Files.size(dir.resolve(file));
                if (size != b.bytes()) {
                    throw new IOException(file + " has " + size + " bytes, meta.json says " + b.bytes());
                }
            }
        }
        return new Found(name, meta.bytes() + Files.size(metaPath), Files.getLastModifiedTime(metaPath).toMillis());
    }

    /** Why a frame was unreadable, without quoting file content (meta.json holds SQL and sample values). */
    static String reason(Exception e) {
        return switch (e) {
            case NoSuchFileException missing -> "missing " + Path.of(missing.getFile()).getFileName();
            case JsonProcessingException json -> "meta.json is not valid JSON";
            case IOException io -> io.getMessage();
            default -> e.getClass().getSimpleName();
        };
    }

    private FileLock lock() {
        FileLock acquired;
        try {
            acquired = lockChannel.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            acquired = null;
        }
        if (acquired == null) {
            closeQuietly();
            throw AgentException.internal("The frame cache directory " + root
                    + " is in use by another FrameCache (another agent process?)", null);
        }
        return acquired;
    }

    void release() {
        try {
            lock.release();
        } catch (IOException e) {
            log.warn("Could not release the frame cache lock: {}", e.toString());
        }
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            lockChannel.close();
        } catch (IOException e) {
            log.warn("Could not close the frame cache lock file: {}", e.toString());
        }
    }
}
