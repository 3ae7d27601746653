package dev.dea.cache;

import dev.dea.testing.ManualClock;
import dev.dea.config.CacheConfig;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameColumn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class FrameEvictionTest {
    private static final Duration TTL = Duration.ofHours(1);

    @TempDir
    Path dir;
    @TempDir
    Path scratch;

    @Test
    void frameNotAccessedForTheTtlExpires() {
        ManualClock clock = new ManualClock();
        try (FrameCache cache = new FrameCache(config(dir, 1L << 30), clock)) {
            String key = write(cache, 10).key();

            clock.advance(Duration.ofMinutes(50));
            assertThat(cache.find(key)).isPresent();
            clock.advance(Duration.ofMinutes(50));
            // 100 minutes old, but accessed 50 minutes ago: still alive.
            assertThat(cache.find(key)).isPresent();
            clock.advance(TTL.plusMillis(1));

            assertThat(cache.find(key)).isEmpty();
            assertThat(cache.stats()).isEqualTo(new CacheStats(0, 0, 1, 1L << 30, 100_000));
            assertThat(dir.resolve("frames")).isEmptyDirectory();
        }
    }

    @Test
    void evictRemovesOnlyExpiredFrames() {
        ManualClock clock = new ManualClock();
        try (FrameCache cache = new FrameCache(config(dir, 1L << 30), clock)) {
            String stale = write(cache, 10).key();
            String fresh = write(cache, 10).key();
            clock.advance(Duration.ofMinutes(40));
            cache.find(fresh);
            clock.advance(Duration.ofMinutes(40));

            assertThat(cache.evict()).isEqualTo(1);

            assertThat(cache.find(stale)).isEmpty();
            assertThat(cache.find(fresh)).isPresent();
            assertThat(cache.evict()).isZero();
            assertThat(cache.stats().evictions()).isEqualTo(1);
        }
    }

    @Test
    void leastRecentlyAccessedFrameGoesFirstWhenOverTheSizeLimit() {
        long frameBytes = measureFrameBytes();
        ManualClock clock = new ManualClock();
        try (FrameCache cache = new FrameCache(config(dir, 3 * frameBytes + frameBytes / 2), clock)) {
            String a = write(cache, 100).key();
            clock.advance(Duration.ofSeconds(1));
            String b = write(cache, 100).key();
            clock.advance(Duration.ofSeconds(1));
            String c = write(cache, 100).key();
            clock.advance(Duration.ofSeconds(1));
            cache.find(a);
            clock.advance(Duration.ofSeconds(1));
            assertThat(cache.stats().bytes()).isEqualTo(3 * frameBytes);

            String d = write(cache, 100).key();

            assertThat(cache.find(b)).isEmpty();
            assertThat(cache.find(a)).isPresent();
            assertThat(cache.find(c)).isPresent();
            assertThat(cache.find(d)).isPresent();
            assertThat(cache.stats()).isEqualTo(new CacheStats(3, 3 * frameBytes, 1, 3 * frameBytes + frameBytes / 2, 100_000));

            // A frame three times the size pushes out the two least recently accessed of a, c, d.
            clock.advance(Duration.ofSeconds(1));
            cache.find(d);
            clock.advance(Duration.ofSeconds(1));
            String big = write(cache, 300).key();
            assertThat(cache.find(a)).isEmpty();
            assertThat(cache.find(c)).isEmpty();
            assertThat(cache.find(d)).isPresent();
            assertThat(cache.find(big)).isPresent();
        }
    }

    @Test
    void justCommittedFrameStaysEvenIfItAloneExceedsTheLimit() {
        try (FrameCache cache = new FrameCache(config(dir, 100))) {
            String old = write(cache, 100).key();
            String key = write(cache, 100).key();

            assertThat(cache.find(old)).isEmpty();
            assertThat(cache.find(key)).isPresent();
            assertThat(cache.stats().frames()).isEqualTo(1);
        }
    }

    @Test
    void lastAccessSurvivesARestartThroughTheMetaFileTime() throws IOException {
        String stale;
        String fresh;
        try (FrameCache cache = new FrameCache(config(dir, 1L << 30))) {
            stale = write(cache, 5).key();
            fresh = write(cache, 5).key();
        }
        Instant twoHoursAgo = Instant.now().minus(Duration.ofHours(2));
        Files.setLastModifiedTime(dir.resolve("frames").resolve(stale).resolve("meta.json"), FileTime.from(twoHoursAgo));

        try (FrameCache cache = new FrameCache(config(dir, 1L << 30))) {
            assertThat(cache.find(stale)).isEmpty();
            assertThat(cache.find(fresh)).isPresent();
            assertThat(dir.resolve("frames").resolve(stale)).doesNotExist();
        }
    }

    @Test
    void accessIsWrittenToTheMetaFileTimeAtMostEveryFewSeconds() throws IOException {
        ManualClock clock = new ManualClock();
        try (FrameCache cache = new FrameCache(config(dir, 1L << 30), clock)) {
            String key = write(cache, 5).key();
            Path meta = dir.resolve("frames").resolve(key).resolve("meta.json");
            FileTime written = Files.getLastModifiedTime(meta);

            clock.advance(Duration.ofMillis(FrameCache.TOUCH_INTERVAL_MILLIS - 1));
            cache.find(key);
            assertThat(Files.getLastModifiedTime(meta)).isEqualTo(written);

            clock.advance(Duration.ofMillis(1));
            cache.find(key);
            assertThat(Files.getLastModifiedTime(meta).toInstant()).isEqualTo(clock.instant());
        }
    }

    @Test
    void leastRecentlyUsedFramesGoWhenOverTheFrameLimitButNeverTheNewFrame() {
        try (FrameCache cache = new FrameCache(config(dir, 1L << 30, 3), new ManualClock())) {
            String a = write(cache, 1).key();
            String b = write(cache, 1).key();
            String c = write(cache, 1).key();

            String d = write(cache, 1).key();

            assertThat(cache.find(a)).isEmpty();
            assertThat(List.of(b, c, d)).allSatisfy(k -> assertThat(cache.find(k)).as(k).isPresent());
            assertThat(cache.stats().frames()).isEqualTo(3);
            assertThat(cache.stats().evictions()).isEqualTo(1);
            assertThat(dir.resolve("frames").resolve(a)).doesNotExist();
        }
        try (FrameCache cache = new FrameCache(config(scratch, 1L << 30, 1), new ManualClock())) {
            String old = write(cache, 1).key();
            String only = write(cache, 1).key();

            assertThat(cache.find(old)).isEmpty();
            assertThat(cache.find(only)).isPresent();
        }
    }

    @Test
    void anAccessProtectsAFrameFromLruEvictionWhateverItsAge() {
        // The clock stands still: the order comes from the accesses themselves, not from creation.
        try (FrameCache cache = new FrameCache(config(dir, 1L << 30, 3), new ManualClock())) {
            String a = write(cache, 1).key();
            String b = write(cache, 1).key();
            String c = write(cache, 1).key();
            assertThat(cache.find(a)).isPresent();
            cache.previewRows(b, 1);

            String d = write(cache, 1).key();
            assertThat(cache.find(c)).isEmpty();

            String e = write(cache, 1).key();
            assertThat(cache.find(a)).isEmpty();
            assertThat(List.of(b, d, e)).allSatisfy(k -> assertThat(cache.find(k)).as(k).isPresent());
        }
    }

    @Test
    void ttlEvictionFollowsTheLastAccessNotTheCreation() {
        ManualClock clock = new ManualClock();
        try (FrameCache cache = new FrameCache(config(dir, 1L << 30), clock)) {
            String a = write(cache, 1).key();
            clock.advance(Duration.ofMinutes(10));
            String b = write(cache, 1).key();
            clock.advance(Duration.ofMinutes(10));
            String c = write(cache, 1).key();
            clock.advance(Duration.ofMinutes(10));
            cache.find(a);

            clock.advance(Duration.ofMinutes(41));
            // b is 61 minutes idle; c 51, a 41.
            assertThat(cache.evict()).isEqualTo(1);
            assertThat(cache.find(b)).isEmpty();

            clock.advance(Duration.ofMinutes(10));
            // c is 61 minutes idle; a was just found, so it is not.
            assertThat(cache.evict()).isEqualTo(1);
            assertThat(cache.find(c)).isEmpty();
            assertThat(cache.find(a)).isPresent();
            assertThat(cache.stats().evictions()).isEqualTo(2);
        }
    }

    @Test
    void limitsAreEnforcedOnTheIndexRebuiltAtStartupInOrderOfLastAccess() throws IOException {
        List<String> keys = new ArrayList<>();
        long frameBytes;
        try (FrameCache cache = new FrameCache(config(dir, 1L << 30))) {
            for (int i = 0; i < 4; i++) {
                keys.add(write(cache, 10).key());
            }
            frameBytes = cache.stats().bytes() / 4;
        }
        // Last accessed 4, 1, 3 and 2 minutes ago: the survivors must be the second and the fourth.
        int[] minutesAgo = {4, 1, 3, 2};
        Instant now = Instant.now();
        for (int i = 0; i < 4; i++) {
            Files.setLastModifiedTime(dir.resolve("frames").resolve(keys.get(i)).resolve("meta.json"),
                    FileTime.from(now.minus(Duration.ofMinutes(minutesAgo[i]))));
        }

        try (FrameCache cache = new FrameCache(config(dir, 1L << 30, 3))) {
            assertThat(cache.stats().frames()).isEqualTo(3);
            assertThat(cache.stats().evictions()).isEqualTo(1);
            assertThat(dir.resolve("frames").resolve(keys.get(0))).doesNotExist();
        }
        // Half a frame of slack: meta.json's created_at varies in length by a few bytes.
        try (FrameCache cache = new FrameCache(config(dir, 2 * frameBytes + frameBytes / 2))) {
            assertThat(cache.stats().frames()).isEqualTo(2);
            assertThat(cache.find(keys.get(1))).isPresent();
            assertThat(cache.find(keys.get(3))).isPresent();
            assertThat(cache.find(keys.get(2))).isEmpty();
        }
    }

    private long measureFrameBytes() {
        try (FrameCache probe = new FrameCache(config(scratch, 1L << 30), new ManualClock())) {
            write(probe, 100);
            return probe.stats().bytes();
        }
    }

    private static CacheConfig config(Path dir, long maxBytes) {
        return config(dir, maxBytes, 100_000);
    }

    private static CacheConfig config(Path dir, long maxBytes, int maxFrames) {
        return new CacheConfig(dir, TTL, maxBytes, 1L << 20, maxFrames);
    }

    @Test
    void aPinnedFrameOutlivesLaterCommitsAndGoesOnceItsPinIsClosed() {
        ManualClock clock = new ManualClock();
        try (FrameCache cache = new FrameCache(config(dir, 1L << 30, 1), clock)) {
            FramePin pin = writePinned(cache);
            String pinned = pin.meta().key();

            String later = write(cache, 1).key();

            // Before pins, this was a 404 for the step that had just succeeded.
            assertThat(cache.previewRows(pinned, 10)).hasSize(1);
            assertThat(cache.find(later)).as("the limit holds the newest frame back, not the pinned one").isPresent();
            clock.advance(TTL.plusMinutes(1));
            assertThat(cache.find(pinned)).as("a pinned frame does not expire either").isPresent();

            pin.close();
            pin.close();

            assertThat(cache.pinnedFrames()).isZero();
            assertThat(cache.stats().frames()).as("the limit applies again once the pin is closed").isEqualTo(1);
            write(cache, 1);
            assertThat(cache.find(pinned)).as("unpinned, it is evicted like any other").isEmpty();
        }
    }

    @Test
    void aCommitThatIsNotPinnedCanBeEvictedByTheNextOne() {
        try (FrameCache cache = new FrameCache(config(dir, 1L << 30, 1), new ManualClock())) {
            String first = write(cache, 1).key();
            write(cache, 1);
            assertThat(cache.find(first)).isEmpty();
            assertThat(cache.pinnedFrames()).isZero();
        }
    }

    static FramePin writePinned(FrameCache cache) {
        try (FrameWriter w = cache.create(List.of(new FrameColumn("n", ColumnKind.INT64, "int8")),
                Provenance.sql("SELECT n", Optional.empty()))) {
            w.append(new Object[] {1L});
            return w.commitPinned();
        }
    }

    static FrameMeta write(FrameCache cache, int rows) {
        try (FrameWriter w = cache.create(List.of(new FrameColumn("n", ColumnKind.INT64, "int8")),
                Provenance.sql("SELECT n", Optional.empty()))) {
            for (int i = 0; i < rows; i++) {
                w.append(new Object[] {1_000_000L + i});
            }
            return w.commit();
        }
    }
}
