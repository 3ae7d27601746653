package dev.dea.frame;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class LongSetTest {
    @Test
    void holdsWhatAHashSetHoldsThroughGrowthIncludingTheFreeMarkerValue() {
        LongSet set = new LongSet();
        Set<Long> expected = new HashSet<>();
        Random random = new Random(7);
        long[] special = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, 1};
        for (int i = 0; i < 50_000; i++) {
            long v = i % 10 == 0 ? special[i / 10 % special.length] : i % 3 == 0 ? random.nextLong() : random.nextInt(20_000);
            assertThat(set.add(v)).isEqualTo(expected.add(v));
        }
        assertThat(set.size()).isEqualTo(expected.size());
        for (long v : expected) {
            assertThat(set.contains(v)).isTrue();
        }
        assertThat(set.contains(123_456_789_012L)).isEqualTo(expected.contains(123_456_789_012L));
    }

    @Test
    void anEmptySetHoldsNothingNotEvenTheFreeMarker() {
        LongSet set = new LongSet();
        assertThat(set.contains(Long.MIN_VALUE)).isFalse();
        assertThat(set.contains(0)).isFalse();
        assertThat(set.size()).isZero();
    }
}
