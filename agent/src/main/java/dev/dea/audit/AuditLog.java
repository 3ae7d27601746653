package dev.dea.audit;

import dev.dea.config.AuditSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * The audit trail: one JSON line per execution, appended to {@link AuditConfig#path()}.
 *
 * <p><b>Durability.</b> {@link #append} writes the whole line with one {@link FileChannel}
 * write (looping only on a short write) and returns only once a {@code force(false)}
 * (fdatasync) that started after the write has completed, so a line that was acknowledged
 * survives a crash of the process and of the machine. Syncs are shared (group commit): the
 * lines that concurrent executions wrote while one sync ran are covered by the next single
 * sync, not one each. Under load a sync takes milliseconds, and one per line under the lock
 * queued every execution behind the disk. With {@code AUDIT_FSYNC=everysec}
 * ({@link AuditSettings.Fsync#EVERYSEC}) {@link #append} returns once the line is written to
 * the operating system, which keeps it through a crash of the agent, and a background thread
 * forces the file once a second; a crash of the machine can then lose up to a second of
 * lines, and a failed background sync is logged as an error, as no caller is waiting for it.
 *
 * <p><b>Failure.</b> Any I/O failure surfaces as an {@link UncheckedIOException}. A failed
 * write is not in the file (a partial write is truncated away, or the torn tail is terminated
 * on the next open so the following line starts clean); after a failed sync the line is in
 * the file but not known to be durable, and its caller is told so. Appending after
 * {@link #close()} throws {@link IllegalStateException}. Nothing is ever dropped silently.
 *
 * <p><b>Threads.</b> Safe for any number of threads; lines are serialised outside the lock
 * and written under it, so they never interleave. A thread whose interrupt flag is set can
 * still append (the flag is cleared for the write and restored), so a timed-out, interrupted
 * execution is still audited. One {@code AuditLog} per path per machine: two processes
 * appending to and rotating the same file are not coordinated.
 *
 * <p><b>Rotation.</b> When a line would take the file beyond {@link AuditConfig#maxFileBytes()},
 * {@code audit.log.<n>} becomes {@code audit.log.<n+1>} (the one at {@code maxFiles} is deleted),
 * {@code audit.log} becomes {@code audit.log.1}, and the line starts a new {@code audit.log}.
 * A line is never split; one larger than the limit goes alone into a fresh file.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    private static final byte NEWLINE = AuditLine.NEWLINE;
    static final long BACKGROUND_SYNC_MILLIS = 1_000;

    private final AuditConfig config;
    private final Path path;
    private final ReentrantLock lock = new ReentrantLock();
    /** Held for a sync, never while waiting for {@link #lock}'s holder to finish a sync. */
    private final ReentrantLock syncLock = new ReentrantLock();

    // Guarded by lock.
    private FileChannel channel;   // null after a failure or a half-done rotation: reopened on demand
    private long size;             // bytes in the current file
    private long generation;       // bumped whenever the channel is closed (after forcing it)
    private long unsyncedGeneration = -1;   // a generation whose force on close failed
    private boolean closed;
    private long appended;

    // Guarded by syncLock: how far the current generation is known to be on disk.
    private long syncedGeneration = -1;
    private long syncedSize;
    private long syncs;

    /** Told of every event once its line is written (the execution history); never block. */
    private final List<Consumer<AuditEvent>> listeners = new CopyOnWriteArrayList<>();

    /** Present with {@link AuditSettings.Fsync#EVERYSEC}: forces what was written once a second. */
    private final Optional<ScheduledExecutorService> backgroundSync;

    /** Opens (creating directories and the file) and appends to whatever the file already holds. */
    public AuditLog(AuditConfig config) {
        this.config = requireNonNull(config, "config");
        this.path = config.path().toAbsolutePath().normalize();
        try {
            Files.createDirectories(path.getParent());
            open();
            AuditFiles.syncDirectory(path);   // a newly created file's directory entry
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open audit log " + path, e);
        }
        this.backgroundSync = config.fsync() == AuditSettings.Fsync.EVERYSEC ? Optional.of(startBackgroundSync()) : Optional.empty();
        log.info("Audit log open at {} ({} bytes already there; rotating at {} bytes, keeping {} rotated files; code {}; fsync {})",
                path, size, config.maxFileBytes(), config.maxFiles(), config.includeCode() ? "included" : "omitted",
                config.fsync().name().toLowerCase(Locale.ROOT));
    }

    private ScheduledExecutorService startBackgroundSync() {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "audit-sync");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(this::syncWritten, BACKGROUND_SYNC_MILLIS, BACKGROUND_SYNC_MILLIS,
                TimeUnit.MILLISECONDS);
        return executor;
    }

    /** Forces whatever has been written so far; the background thread's task. */
    void syncWritten() {
        long gen;
        long upTo;
        lock.lock();
        try {
            if (closed || channel == null) {
                return;   // closing forces the file itself; a failed channel is reopened by the next append
            }
            gen = generation;
            upTo = size;
        } finally {
            lock.unlock();
        }
        try {
            sync(gen, upTo);
        } catch (UncheckedIOException e) {
            log.error("Background sync of audit log {} failed; lines written since the last sync may not be durable: {}",
                    path, e.getMessage());
        }
    }

    /** {@code listener} is told of each event after its line is written, on the appending thread. */
    public void onAppend(Consumer<AuditEvent> listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    /** Lowercase hex SHA-256 of the code's UTF-8 bytes. */
    public static String sha256(String code) {
        requireNonNull(code, "code");
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(code.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    public AuditConfig config() {
        return config;
    }

    /** The current file (absolute); rotated files sit next to it with suffixes {@code .1}, {@code .2}, ... */
    public Path path() {
        return path;
    }

    /**
     * Writes the event as one line and (with {@code AUDIT_FSYNC=always}) syncs it to disk before returning.
     *
     * @throws UncheckedIOException  when the line could not be written (it is then not in the file)
     * @throws IllegalStateException after {@link #close()}
     */
    public void append(AuditEvent event) {
        byte[] line = encode(requireNonNull(event, "event"));
        boolean interrupted = Thread.interrupted();   // an interrupt would close the channel mid-write
        try {
            long writtenGeneration;
            long writtenUpTo;
            lock.lock();
            try {
                if (closed) {
                    throw new IllegalStateException("audit log is closed: " + path);
                }
                if (channel == null || !channel.isOpen()) {
                    reopen();
                }
                if (size > 0 && size + line.length > config.maxFileBytes()) {
                    rotate();
                }
                write(line);
                appended++;
                writtenGeneration = generation;
                writtenUpTo = size;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write audit line to " + path, e);
            } finally {
                lock.unlock();
            }
            if (backgroundSync.isEmpty()) {
                sync(writtenGeneration, writtenUpTo);
            }
            for (Consumer<AuditEvent> listener : listeners) {
                try {
                    listener.accept(event);
                } catch (RuntimeException e) {
                    log.error("An audit listener failed; the line is written: {}", e.toString());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Returns once the bytes up to {@code upTo} of file generation {@code gen} are on disk: at
     * once when a sync that began after they were written has finished, else after one more
     * sync that covers everything written so far. A closed generation was forced when closed.
     */
    private void sync(long gen, long upTo) {
        syncLock.lock();
        try {
            if (syncedGeneration > gen || (syncedGeneration == gen && syncedSize >= upTo)) {
                return;
            }
            FileChannel target;
            long targetGeneration;
            long targetSize;
            lock.lock();
            try {
                target = channel;
                targetGeneration = generation;
                targetSize = size;
            } finally {
                lock.unlock();
            }
            if (targetGeneration != gen || target == null) {
                // Rotated, closed or reopened since: closeChannel() forced that file.
                if (gen == unsyncedGeneration()) {
                    throw new UncheckedIOException(new IOException("cannot sync audit log " + path
                            + " before closing it (the line was written but may not be durable)"));
                }
                return;
            }
            try {
                target.force(false);
                syncs++;
            } catch (IOException e) {
                if (!isCurrent(gen) && gen != unsyncedGeneration()) {
                    return;   // closed under us, after being forced
                }
                throw new UncheckedIOException("cannot sync audit log " + path + " (the line was written but may not be durable)", e);
            }
            syncedGeneration = targetGeneration;
            syncedSize = targetSize;
        } finally {
            syncLock.unlock();
        }
    }

    /** Disk syncs done by appenders so far (tests: concurrent lines share one). */
    long syncs() {
        syncLock.lock();
        try {
            return syncs;
        } finally {
            syncLock.unlock();
        }
    }

    /** Tests hold it to make appenders queue up for one shared sync. */
    ReentrantLock syncLockForTests() {
        return syncLock;
    }

    private long unsyncedGeneration() {
        lock.lock();
        try {
            return unsyncedGeneration;
        } finally {
            lock.unlock();
        }
    }

    private boolean isCurrent(long gen) {
        lock.lock();
        try {
            return generation == gen && channel != null;
        } finally {
            lock.unlock();
        }
    }

    /** Idempotent. Forces what is not yet on disk, then releases the file. */
    @Override
    public void close() {
        backgroundSync.ifPresent(AuditLog::stop);
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeChannel();
            log.info("Audit log closed at {} after {} lines", path, appended);
        } finally {
            lock.unlock();
        }
    }

    // Not shutdownNow: an interrupt inside force() would close the channel under the sync.
    private static void stop(ScheduledExecutorService executor) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("Background audit sync did not finish within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // --- encoding ---

    byte[] encode(AuditEvent e) {
        return AuditLine.encode(e, config.includeCode());
    }

    // --- file handling, all under lock ---

    private void write(byte[] line) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(line);
        long before = size;
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            // The caller is told the line is not recorded, so take back whatever part of it landed.
            try {
                channel.truncate(before);
                size = before;
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
                closeChannel();   // the next append reopens and terminates a torn tail
            }
            throw e;
        }
        size += line.length;
    }

    private void rotate() throws IOException {
        closeChannel();
        AuditFiles.shift(path, config.maxFiles());
        open();
        AuditFiles.syncDirectory(path);   // makes the renames and the new file's entry durable
        log.info("Audit log rotated: {} -> {}", path.getFileName(), AuditFiles.rotated(path, 1).getFileName());
    }

    private void reopen() throws IOException {
        closeChannel();
        open();
        log.warn("Audit log {} reopened after an earlier failure or interrupt", path);
    }

    private void open() throws IOException {
        FileChannel opened = FileChannel.open(path,
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        try {
            long existing = opened.size();
            if (existing > 0 && AuditFiles.lastByte(path) != NEWLINE) {
                // A crash mid-line left a torn tail: end it so the next line parses on its own.
                opened.write(ByteBuffer.wrap(new byte[] {NEWLINE}));
                opened.force(false);
                existing++;
                log.warn("Audit log {} ended in a partial line; terminated it", path);
            }
            channel = opened;
            size = existing;
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    private void closeChannel() {
        FileChannel c = channel;
        channel = null;
        generation++;
        if (c != null) {
            try {
                // Lines whose appenders have not synced yet rely on this (see sync()).
                c.force(false);
            } catch (IOException e) {
                unsyncedGeneration = generation - 1;
                log.warn("Syncing audit log {} before closing it failed: {}", path, e.toString());
            }
            try {
                c.close();
            } catch (IOException e) {
                log.warn("Closing audit log {} failed: {}", path, e.toString());
            }
        }
    }
}
