package dev.dea.cache;

import dev.dea.config.CacheConfig;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameColumn;
import dev.dea.testing.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The index keeps no {@link FrameMeta}: metas come from meta.json, through a small LRU. */
class FrameMetaOnDemandTest {
    @TempDir
    Path dir;

    private FrameCache open(int recentMetas) {
        return new FrameCache(new CacheConfig(dir, Duration.ofHours(1), 1L << 30, 1L << 28, 100_000),
                new ManualClock(), recentMetas);
    }

    @Test
    void metaPushedOutOfMemoryIsReadBackInFullFromDisk() {
        String source = "SELECT 1 -- " + "x".repeat(1_000_000);
        try (FrameCache cache = open(1)) {
            FrameMeta committed = write(cache, source);
            FrameMeta other = write(cache, "SELECT 2");

            assertThat(cache.find(committed.key())).contains(committed);
            assertThat(cache.get(committed.key()).provenance().source()).isEqualTo(source);
            assertThat(cache.find(other.key())).contains(other);
        }
    }

    @Test
    void metaIsReadFromDiskNotKeptInTheIndex() throws IOException {
        try (FrameCache cache = open(0)) {
            FrameMeta committed = write(cache, "SELECT 1");
            Path meta = dir.resolve("frames").resolve(committed.key()).resolve("meta.json");
            Files.writeString(meta, Files.readString(meta).replace("SELECT 1", "SELECT 'edited'"));

            assertThat(cache.get(committed.key()).provenance().source()).isEqualTo("SELECT 'edited'");
        }
    }

    @Test
    void justCommittedMetaIsServedFromMemory() throws IOException {
        try (FrameCache cache = open(RecentMetas.DEFAULT_MAX_ENTRIES)) {
            FrameMeta committed = write(cache, "SELECT 1");
            // Chaining on a new frame must not re-read its meta.json: a broken file goes unnoticed.
            Files.writeString(dir.resolve("frames").resolve(committed.key()).resolve("meta.json"), "{");

            assertThat(cache.find(committed.key())).contains(committed);
        }
    }

    @Test
    void frameWhoseMetaFileIsCorruptedAfterCommitIsDroppedAsNotFound() throws IOException {
        try (FrameCache cache = open(0)) {
            FrameMeta corrupted = write(cache, "SELECT 1");
            FrameMeta intact = write(cache, "SELECT 2");
            Files.writeString(dir.resolve("frames").resolve(corrupted.key()).resolve("meta.json"),
                    "{\"format\":\"dea-frame\",\"format_ver");

            assertThatThrownBy(() -> cache.writeJson(corrupted.key(), OutputStream.nullOutputStream()))
                    .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.NOT_FOUND));
            assertThat(cache.find(corrupted.key())).isEmpty();
            assertThat(dir.resolve("frames").resolve(corrupted.key())).doesNotExist();
            assertThat(cache.stats().frames()).isEqualTo(1);
            assertThat(cache.stats().bytes()).isEqualTo(diskBytes(intact.key()));
            assertThat(cache.find(intact.key())).contains(intact);
        }
    }

    @Test
    void frameWhoseFilesVanishedBehindTheCachesBackIsNotFoundAndForgotten() throws IOException {
        try (FrameCache cache = open(0)) {
            FrameMeta meta = write(cache, "SELECT 1");
            FrameFiles.deleteTree(dir.resolve("frames").resolve(meta.key()));

            assertThatThrownBy(() -> cache.get(meta.key()))
                    .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.NOT_FOUND));
            assertThat(cache.stats().frames()).isZero();
            assertThat(cache.stats().bytes()).isZero();
        }
    }

    @Test
    void deletedFrameLeavesNoMetaInMemory() {
        try (FrameCache cache = open(RecentMetas.DEFAULT_MAX_ENTRIES)) {
            FrameMeta meta = write(cache, "SELECT 1");

            assertThat(cache.delete(meta.key())).isTrue();

            assertThat(cache.find(meta.key())).isEmpty();
        }
    }

    private long diskBytes(String key) throws IOException {
        Path frame = dir.resolve("frames").resolve(key);
        try (var files = Files.list(frame)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static FrameMeta write(FrameCache cache, String source) {
        try (FrameWriter w = cache.create(List.of(new FrameColumn("n", ColumnKind.INT64, "int8")),
                Provenance.sql(source, Optional.of("req-1")))) {
            w.append(new Object[] {1L});
            return w.commit();
        }
    }
}
