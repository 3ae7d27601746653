package dev.dea.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dea.error.AgentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The artifacts of Python steps (figures, files the code wrote to OUT_DIR), kept on disk
 * beside the frames so a client can download them by key ({@code GET /artifacts/{key}}) for
 * the cache's TTL. One directory {@code <key>/} per artifact holds {@code data} and
 * {@code meta.json}; it is written under {@code .tmp/} and renamed into place, so an artifact
 * is complete or absent. An artifact expires {@code ttl} after it was stored (downloads do not
 * extend it); the oldest go first when the count or the bytes exceed their bounds. Start-up
 * deletes half-written, corrupt and expired directories. Thread-safe; the frame cache's lock
 * file keeps a second process out of the cache directory this lives in.
 */
public final class ArtifactStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ArtifactStore.class);
    static final String DATA = "data";
    static final String META = "meta.json";
    static final String TMP = ".tmp";
    private static final Pattern KEY =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private record Entry(long bytes, long createdMillis) {
    }

    private final Path root;
    private final Path tmp;
    private final long ttlMillis;
    private final long maxBytes;
    private final int maxCount;
    private final InstantSource clock;
    private final ObjectMapper json = new ObjectMapper();
    /** Oldest first: insertion order is creation order. */
    private final LinkedHashMap<String, Entry> index = new LinkedHashMap<>();
    private long totalBytes;

    public ArtifactStore(Path root, Duration ttl, long maxBytes, int maxCount) {
        this(root, ttl, maxBytes, maxCount, InstantSource.system());
    }

    ArtifactStore(Path root, Duration ttl, long maxBytes, int maxCount, InstantSource clock) {
        this.root = requireNonNull(root, "root");
        this.tmp = root.resolve(TMP);
        this.ttlMillis = requireNonNull(ttl, "ttl").toMillis();
        this.maxBytes = maxBytes;
        this.maxCount = maxCount;
        this.clock = requireNonNull(clock, "clock");
        int removed;
        try {
            Files.createDirectories(root);
            if (Files.exists(tmp, LinkOption.NOFOLLOW_LINKS)) {
                deleteTree(tmp);
            }
            Files.createDirectories(tmp);
            removed = load();
        } catch (IOException e) {
            throw AgentException.internal("Cannot prepare the artifact directory " + root, e);
        }
        log.info("Artifact store opened at {}: {} artifacts, {} bytes (limits {} bytes, {} artifacts); removed {} leftovers",
                root, index.size(), totalBytes, maxBytes, maxCount, removed);
        synchronized (this) {
            evict(false, 0);
        }
    }

    public static boolean isValidKey(String key) {
        return key != null && key.length() == 36 && KEY.matcher(key).matches();
    }

    /** Stores {@code data} under a new key, making room by dropping expired then oldest artifacts. */
    public ArtifactMeta put(String name, String mediaType, byte[] data, Optional<String> requestId,
                            Optional<String> frameKey) {
        requireNonNull(data, "data");
        if (data.length > maxBytes) {
            throw new IllegalArgumentException("an artifact of " + data.length + " bytes exceeds the store's " + maxBytes);
        }
        Instant now = clock.instant();
        ArtifactMeta meta = new ArtifactMeta(UUID.randomUUID().toString(), name, mediaType, data.length, now,
                requestId, frameKey);
        Path temp = tmp.resolve(meta.key());
        try {
            Files.createDirectory(temp);
            Files.write(temp.resolve(DATA), data);
            Files.write(temp.resolve(META), json.writeValueAsBytes(toJson(meta)));
            synchronized (this) {
                evict(true, data.length);
                Files.move(temp, root.resolve(meta.key()), StandardCopyOption.ATOMIC_MOVE);
                index.put(meta.key(), new Entry(data.length, now.toEpochMilli()));
                totalBytes += data.length;
            }
            return meta;
        } catch (IOException e) {
            discard(temp);
            throw AgentException.internal("Cannot store an artifact", e);
        } catch (RuntimeException e) {
            discard(temp);
            throw e;
        }
    }

    /** The artifact's metadata; VALIDATION_ERROR for a malformed key, NOT_FOUND for an unknown or expired one. */
    public ArtifactMeta get(String key) {
        requireKnown(key);
        try {
            return fromJson(json.readTree(Files.readAllBytes(root.resolve(key).resolve(META))));
        } catch (NoSuchFileException e) {
            throw notFound(key);
        } catch (IOException | RuntimeException e) {
            throw AgentException.internal("Cannot read artifact " + key, e);
        }
    }

    /** The artifact's bytes as a stream; the caller closes it. Same errors as {@link #get}. */
    public InputStream open(String key) {
        requireKnown(key);
        try {
            return Files.newInputStream(root.resolve(key).resolve(DATA));
        } catch (NoSuchFileException e) {
            throw notFound(key);
        } catch (IOException e) {
            throw AgentException.internal("Cannot read artifact " + key, e);
        }
    }

    /** Whether the artifact existed; VALIDATION_ERROR for a malformed key. */
    public boolean delete(String key) {
        requireValid(key);
        synchronized (this) {
            Entry e = index.remove(key);
            if (e == null) {
                return false;
            }
            totalBytes -= e.bytes();
        }
        discard(root.resolve(key));
        return true;
    }

    public synchronized int count() {
        return index.size();
    }

    public synchronized long bytes() {
        return totalBytes;
    }

    @Override
    public void close() {
        // Nothing is held open: artifacts stay on disk for the next start within their TTL.
    }

    private void requireKnown(String key) {
        requireValid(key);
        synchronized (this) {
            Entry e = index.get(key);
            if (e == null) {
                throw notFound(key);
            }
            if (expired(e, clock.millis())) {
                index.remove(key);
                totalBytes -= e.bytes();
                discard(root.resolve(key));
                throw notFound(key);
            }
        }
    }

    private static void requireValid(String key) {
        if (!isValidKey(key)) {
            // Not echoed: caller-controlled and possibly huge.
            throw AgentException.validation("Invalid artifact key: expected a lower-case UUID such as "
                    + "'0b7e2c1a-4f3d-4c2b-9a8e-1d2c3b4a5f60'");
        }
    }

    private static AgentException notFound(String key) {
        return AgentException.notFound("No artifact with key '" + key + "' (unknown or expired)");
    }

    private boolean expired(Entry e, long now) {
        return now - e.createdMillis() >= ttlMillis;
    }

    /** Drops expired artifacts, then the oldest until one more of {@code incoming} bytes fits ({@code adding}). */
    private void evict(boolean adding, long incoming) {
        long now = clock.millis();
        List<String> victims = new ArrayList<>();
        Iterator<Map.Entry<String, Entry>> it = index.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Entry> e = it.next();
            boolean overCount = index.size() + (adding ? 1 : 0) > maxCount;
            boolean overBytes = totalBytes + incoming > maxBytes;
            if (expired(e.getValue(), now) || overCount || overBytes) {
                victims.add(e.getKey());
                totalBytes -= e.getValue().bytes();
                it.remove();
            }
        }
        victims.forEach(key -> discard(root.resolve(key)));
        if (!victims.isEmpty()) {
            log.debug("Dropped {} expired or oldest artifacts", victims.size());
        }
    }

    /** Reads every artifact directory into the index; returns how many leftovers it deleted. */
    private int load() throws IOException {
        record Found(String key, long bytes, long createdMillis) {
        }
        List<Found> found = new ArrayList<>();
        int removed = 0;
        long now = clock.millis();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(root)) {
            for (Path child : children) {
                String name = child.getFileName().toString();
                if (name.equals(TMP)) {
                    continue;
                }
                try {
                    ArtifactMeta meta = check(child, name);
                    long created = meta.createdAt().toEpochMilli();
                    if (now - created >= ttlMillis) {
                        throw new IOException("expired");
                    }
                    found.add(new Found(name, meta.sizeBytes(), created));
                } catch (IOException | RuntimeException e) {
                    log.debug("Deleting artifact directory {}: {}", name, e.getClass().getSimpleName());
                    discard(child);
                    removed++;
                }
            }
        }
        found.sort(Comparator.comparingLong(Found::createdMillis));
        for (Found f : found) {
            index.put(f.key(), new Entry(f.bytes(), f.createdMillis()));
            totalBytes += f.bytes();
        }
        return removed;
    }

    private ArtifactMeta check(Path dir, String name) throws IOException {
        if (!isValidKey(name) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("not an artifact directory");
        }
        ArtifactMeta meta = fromJson(json.readTree(Files.readAllBytes(dir.resolve(META))));
        if (!meta.key().equals(name) || Files.size(dir.resolve(DATA)) != meta.sizeBytes()) {
            throw new IOException("meta.json does not match the directory");
        }
        return meta;
    }

    private ObjectNode toJson(ArtifactMeta m) {
        ObjectNode o = json.createObjectNode();
        o.put("key", m.key()).put("name", m.name()).put("media_type", m.mediaType()).put("size_bytes", m.sizeBytes())
                .put("created_at", m.createdAt().toString());
        m.requestId().ifPresent(id -> o.put("request_id", id));
        m.frameKey().ifPresent(k -> o.put("frame_key", k));
        return o;
    }

    private static ArtifactMeta fromJson(JsonNode o) {
        if (!o.path("key").isTextual() || !o.path("name").isTextual() || !o.path("media_type").isTextual()
                || !o.path("size_bytes").canConvertToLong() || !o.path("created_at").isTextual()) {
            throw new IllegalArgumentException("meta.json lacks a field");
        }
        return new ArtifactMeta(o.path("key").asText(), o.path("name").asText(), o.path("media_type").asText(),
                o.path("size_bytes").asLong(), Instant.parse(o.path("created_at").asText()),
                Optional.ofNullable(o.path("request_id").textValue()), Optional.ofNullable(o.path("frame_key").textValue()));
    }

    private static void discard(Path path) {
        try {
            deleteTree(path);
        } catch (IOException e) {
            log.warn("Could not delete artifact files {}: {}", path, e.toString());
        }
    }

    private static void deleteTree(Path path) throws IOException {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
                for (Path child : children) {
                    deleteTree(child);
                }
            }
        }
        Files.deleteIfExists(path);
    }
}
