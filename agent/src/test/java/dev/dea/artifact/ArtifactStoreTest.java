package dev.dea.artifact;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.testing.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArtifactStoreTest {
    private static final Duration TTL = Duration.ofHours(1);
    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock();

    private ArtifactStore store(long maxBytes, int maxCount) {
        return new ArtifactStore(dir, TTL, maxBytes, maxCount, clock);
    }

    private static byte[] read(ArtifactStore store, String key) throws IOException {
        try (InputStream in = store.open(key)) {
            return in.readAllBytes();
        }
    }

    private static void assertError(Runnable call, ErrorType type) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type()).isEqualTo(type));
    }

    @Test
    void storedArtifactReadsBackWithItsMetaAndLeavesNoTempFiles() throws IOException {
        ArtifactStore store = store(1 << 20, 10);
        ArtifactMeta meta = store.put("out.csv", "text/csv", "a\n1\n".getBytes(), Optional.of("req-1"), Optional.of("frame-1"));
        assertThat(ArtifactStore.isValidKey(meta.key())).isTrue();
        assertThat(meta.url()).isEqualTo("/artifacts/" + meta.key());
        assertThat(store.get(meta.key())).isEqualTo(meta);
        assertThat(read(store, meta.key())).isEqualTo("a\n1\n".getBytes());
        assertThat(Files.list(dir.resolve(ArtifactStore.TMP)).count()).isZero();
        assertThat(Files.readString(dir.resolve(meta.key()).resolve(ArtifactStore.META)))
                .contains("\"request_id\":\"req-1\"").contains("\"frame_key\":\"frame-1\"").contains("\"media_type\":\"text/csv\"");
    }

    @Test
    void artifactsExpireAfterTheTtlAndAreDeleted() {
        ArtifactStore store = store(1 << 20, 10);
        String key = store.put("a.txt", "text/plain", new byte[] {1}, Optional.empty(), Optional.empty()).key();
        clock.advance(TTL.minusSeconds(1));
        assertThat(store.get(key).name()).isEqualTo("a.txt");
        clock.advanceSeconds(1);
        assertError(() -> store.get(key), ErrorType.NOT_FOUND);
        assertThat(dir.resolve(key)).doesNotExist();
        assertThat(store.count()).isZero();
    }

    @Test
    void oldestGoFirstWhenCountOrBytesAreExceeded() {
        ArtifactStore byCount = store(1 << 20, 2);
        String a = byCount.put("a.txt", "text/plain", new byte[10], Optional.empty(), Optional.empty()).key();
        clock.advanceSeconds(1);
        String b = byCount.put("b.txt", "text/plain", new byte[10], Optional.empty(), Optional.empty()).key();
        clock.advanceSeconds(1);
        String c = byCount.put("c.txt", "text/plain", new byte[10], Optional.empty(), Optional.empty()).key();
        assertError(() -> byCount.get(a), ErrorType.NOT_FOUND);
        assertThat(byCount.get(b).name()).isEqualTo("b.txt");
        assertThat(byCount.get(c).name()).isEqualTo("c.txt");
        assertThat(dir.resolve(a)).doesNotExist();
        byCount.delete(b);
        byCount.delete(c);

        ArtifactStore byBytes = new ArtifactStore(dir.resolve("bytes"), TTL, 25, 100, clock);
        String d = byBytes.put("d.txt", "text/plain", new byte[10], Optional.empty(), Optional.empty()).key();
        String e = byBytes.put("e.txt", "text/plain", new byte[10], Optional.empty(), Optional.empty()).key();
        String f = byBytes.put("f.txt", "text/plain", new byte[10], Optional.empty(), Optional.empty()).key();
        assertError(() -> byBytes.get(d), ErrorType.NOT_FOUND);
        assertThat(byBytes.bytes()).isEqualTo(20);
        assertThat(byBytes.get(e).sizeBytes()).isEqualTo(10);
        assertThat(byBytes.get(f).sizeBytes()).isEqualTo(10);
    }

    @Test
    void startUpKeepsCompleteArtifactsAndRemovesHalfWrittenCorruptAndExpiredOnes() throws IOException {
        ArtifactStore first = store(1 << 20, 10);
        String kept = first.put("kept.json", "application/json", "{}".getBytes(), Optional.empty(), Optional.empty()).key();
        String old = first.put("old.txt", "text/plain", "x".getBytes(), Optional.empty(), Optional.empty()).key();
        String corrupt = first.put("c.txt", "text/plain", "xyz".getBytes(), Optional.empty(), Optional.empty()).key();
        first.close();
        Files.write(dir.resolve(corrupt).resolve(ArtifactStore.DATA), "shorter".getBytes());  // size no longer matches
        Path half = Files.createDirectories(dir.resolve(ArtifactStore.TMP).resolve("0b7e2c1a-4f3d-4c2b-9a8e-1d2c3b4a5f60"));
        Files.write(half.resolve(ArtifactStore.DATA), new byte[5]);
        Path noMeta = Files.createDirectories(dir.resolve("1b7e2c1a-4f3d-4c2b-9a8e-1d2c3b4a5f60"));
        Files.write(noMeta.resolve(ArtifactStore.DATA), new byte[5]);
        Files.createDirectories(dir.resolve("not-a-key"));
        // "old" expires: rewrite its meta with an earlier creation time.
        Path oldMeta = dir.resolve(old).resolve(ArtifactStore.META);
        Files.writeString(oldMeta, Files.readString(oldMeta).replace("2030-01-01", "2029-01-01"));

        ArtifactStore second = store(1 << 20, 10);
        assertThat(second.count()).isEqualTo(1);
        assertThat(read(second, kept)).isEqualTo("{}".getBytes());
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(kept, ArtifactStore.TMP);
        }
        try (Stream<Path> tmp = Files.list(dir.resolve(ArtifactStore.TMP))) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void malformedKeysAreValidationErrorsAndUnknownOnesNotFound() {
        ArtifactStore store = store(1 << 20, 10);
        assertError(() -> store.get("../../etc/passwd"), ErrorType.VALIDATION_ERROR);
        assertError(() -> store.open("0B7E2C1A-4F3D-4C2B-9A8E-1D2C3B4A5F60"), ErrorType.VALIDATION_ERROR);
        assertError(() -> store.get("0b7e2c1a-4f3d-4c2b-9a8e-1d2c3b4a5f60"), ErrorType.NOT_FOUND);
        assertThat(store.delete("0b7e2c1a-4f3d-4c2b-9a8e-1d2c3b4a5f60")).isFalse();
    }

    @Test
    void deleteRemovesTheFilesAndTheEntry() {
        ArtifactStore store = store(1 << 20, 10);
        String key = store.put("a.txt", "text/plain", new byte[3], Optional.empty(), Optional.empty()).key();
        assertThat(store.delete(key)).isTrue();
        assertThat(dir.resolve(key)).doesNotExist();
        assertError(() -> store.get(key), ErrorType.NOT_FOUND);
        assertThat(store.bytes()).isZero();
    }
}
