package dev.dea.cache;

import dev.dea.config.CacheConfig;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameColumn;
import dev.dea.testing.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameListingTest {
    private static final Duration TTL = Duration.ofHours(1);

    @TempDir
    Path dir;

    private static String write(FrameCache cache, Provenance provenance) {
        try (FrameWriter w = cache.create(List.of(new FrameColumn("n", ColumnKind.INT64, "int8")), provenance)) {
            w.append(new Object[] {1L});
            return w.commit().key();
        }
    }

    private static FrameListing.Query query(String kind, String parent, String limit, String cursor) {
        return FrameListing.Query.parse(kind, parent, limit, cursor);
    }

    @Test
    void listsMostRecentlyUsedFirstInPagesWithoutCountingAsUse() {
        ManualClock clock = new ManualClock();
        try (FrameCache cache = new FrameCache(new CacheConfig(dir, TTL, 1L << 30, 1L << 30, 1000), clock)) {
            List<String> written = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                written.add(write(cache, Provenance.sql("SELECT " + i + "\nFROM t", Optional.of("req-" + i))));
                clock.advance(Duration.ofSeconds(1));
            }
            List<String> seen = new ArrayList<>();
            String cursor = null;
            do {
                FrameListing.Page page = cache.list(query(null, null, "2", cursor));
                assertThat(page.total()).isEqualTo(5);
                page.frames().forEach(f -> seen.add(f.cacheKey()));
                cursor = page.nextCursor().orElse(null);
            } while (cursor != null);
            assertThat(seen).containsExactlyElementsOf(written.reversed());

            FrameListing.Listed newest = cache.list(query(null, null, "1", null)).frames().getFirst();
            assertThat(newest.provenance().sourceFirstLine()).isEqualTo("SELECT 4");
            assertThat(newest.provenance().requestId()).contains("req-4");
            assertThat(newest.rowCount()).isEqualTo(1);
            assertThat(newest.columns()).containsExactly("n");
            assertThat(newest.bytes()).isPositive();
            assertThat(java.time.Instant.parse(newest.expiresAt()))
                    .isEqualTo(java.time.Instant.parse(newest.lastUsedAt()).plus(TTL));

            // Listing the oldest frame does not make it the newest; using it does.
            cache.list(query(null, null, "500", null));
            assertThat(cache.list(query(null, null, "1", null)).frames().getFirst().cacheKey()).isEqualTo(written.get(4));
            cache.find(written.get(0));
            assertThat(cache.list(query(null, null, "1", null)).frames().getFirst().cacheKey()).isEqualTo(written.get(0));
        }
    }

    @Test
    void filtersByKindAndParentAndSkipsExpiredFrames() {
        ManualClock clock = new ManualClock();
        try (FrameCache cache = new FrameCache(new CacheConfig(dir, TTL, 1L << 30, 1L << 30, 1000), clock)) {
            String old = write(cache, Provenance.sql("SELECT 0", Optional.empty()));
            clock.advance(TTL.minusMinutes(10));
            String sql = write(cache, Provenance.sql("SELECT 1", Optional.empty()));
            String child = write(cache, Provenance.python("result_df = a", List.of(sql), Optional.empty()));
            assertThat(cache.list(query("python", null, null, null)).frames())
                    .extracting(FrameListing.Listed::cacheKey).containsExactly(child);
            assertThat(cache.list(query(null, sql, null, null)).frames())
                    .extracting(FrameListing.Listed::cacheKey).containsExactly(child);
            clock.advance(Duration.ofMinutes(20));
            assertThat(cache.list(query("sql", null, null, null)).frames())
                    .extracting(FrameListing.Listed::cacheKey).containsExactly(sql).doesNotContain(old);
        }
    }

    @Test
    void badParametersAreOneValidationError() {
        assertThatThrownBy(() -> query("r", "not-a-key", "501", "%%%"))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.type()).isEqualTo(ErrorType.VALIDATION_ERROR);
                    assertThat(e.getMessage()).contains("kind", "parent", "limit", "cursor");
                });
    }
}
