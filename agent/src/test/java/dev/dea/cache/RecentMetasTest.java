package dev.dea.cache;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class RecentMetasTest {
    @Test
    void keepsAtMostMaxEntriesDroppingTheLeastRecentlyUsed() {
        RecentMetas metas = new RecentMetas(2, 1_000);
        FrameMeta a = meta();
        FrameMeta b = meta();
        FrameMeta c = meta();
        metas.put(a, 10);
        metas.put(b, 10);
        assertThat(metas.get(a.key())).contains(a);

        metas.put(c, 10);

        assertThat(metas.get(b.key())).isEmpty();
        assertThat(metas.get(a.key())).contains(a);
        assertThat(metas.get(c.key())).contains(c);
        assertThat(metas.size()).isEqualTo(2);
    }

    @Test
    void keepsAtMostMaxWeightAndNothingHeavierThanIt() {
        RecentMetas metas = new RecentMetas(100, 1_000);
        FrameMeta a = meta();
        FrameMeta b = meta();
        FrameMeta huge = meta();
        metas.put(a, 600);
        metas.put(b, 300);
        metas.put(a, 600);
        assertThat(metas.size()).isEqualTo(2);

        metas.put(meta(), 200);
        assertThat(metas.get(b.key())).isEmpty();
        assertThat(metas.get(a.key())).contains(a);

        metas.put(huge, 1_001);
        assertThat(metas.get(huge.key())).isEmpty();
        assertThat(metas.get(a.key())).contains(a);
    }

    @Test
    void removeForgetsAMeta() {
        RecentMetas metas = new RecentMetas(2, 1_000);
        FrameMeta a = meta();
        metas.put(a, 10);

        metas.remove(a.key());

        assertThat(metas.get(a.key())).isEmpty();
        assertThat(metas.size()).isZero();
    }

    private static FrameMeta meta() {
        return new FrameMeta(UUID.randomUUID().toString(), List.of(), 0, 0, false, Instant.EPOCH,
                Provenance.sql("SELECT 1", Optional.empty()));
    }
}
