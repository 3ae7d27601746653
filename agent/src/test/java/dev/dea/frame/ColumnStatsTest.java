package dev.dea.frame;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ColumnStatsTest {
    @Test
    void computesNumericStatsIgnoringNulls() {
        ColumnStats s = new ColumnStats(ColumnKind.INT64);
        for (Object v : new Object[] {1L, 2L, 3L, 4L, null}) {
            s.accept(v);
        }
        Map<String, Object> m = s.toMap();
        assertThat(m).containsEntry("count", 5L).containsEntry("null_count", 1L).containsEntry("distinct_count", 4L)
                .containsEntry("min", 1L).containsEntry("max", 4L).containsEntry("mean", 2.5);
        assertThat((Double) m.get("std")).isCloseTo(1.2910, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(m).doesNotContainKey("top_values");
    }

    @Test
    void countsNanSeparatelyAndKeepsItOutOfTheMean() {
        ColumnStats s = new ColumnStats(ColumnKind.FLOAT64);
        s.accept(1.0);
        s.accept(Double.NaN);
        s.accept(3.0);
        assertThat(s.toMap()).containsEntry("nan_count", 1L).containsEntry("mean", 2.0);
    }

    @Test
    void treatsEqualDecimalsOfDifferentScaleAsOneValue() {
        ColumnStats s = new ColumnStats(ColumnKind.DECIMAL);
        s.accept(new BigDecimal("1.0"));
        s.accept(new BigDecimal("1.00"));
        assertThat(s.toMap()).containsEntry("distinct_count", 1L);
    }

    @Test
    void reportsTopValuesForText() {
        ColumnStats s = new ColumnStats(ColumnKind.STRING);
        for (String v : List.of("a", "b", "a", "c", "a", "b")) {
            s.accept(v);
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> top = (List<Map<String, Object>>) s.toMap().get("top_values");
        assertThat(top.get(0)).containsEntry("value", "a").containsEntry("count", 3L);
        assertThat(top.get(1)).containsEntry("value", "b").containsEntry("count", 2L);
        assertThat(s.toMap()).containsEntry("min", "a").containsEntry("max", "c");
    }

    @Test
    void ordersDates() {
        ColumnStats s = new ColumnStats(ColumnKind.DATE);
        s.accept(LocalDate.of(2024, 5, 1));
        s.accept(LocalDate.of(2020, 1, 1));
        assertThat(s.toMap()).containsEntry("min", LocalDate.of(2020, 1, 1)).containsEntry("max", LocalDate.of(2024, 5, 1));
    }

    @Test
    void stopsCountingDistinctValuesAtTheLimitAndSaysSo() {
        ColumnStats s = new ColumnStats(ColumnKind.INT64);
        for (long i = 0; i < ColumnStats.DISTINCT_LIMIT + 50; i++) {
            s.accept(i);
        }
        assertThat(s.toMap()).containsEntry("distinct_count", (long) ColumnStats.DISTINCT_LIMIT)
                .containsEntry("distinct_count_exact", false);
    }

    @Test
    void clipsLongTextInRenderedStats() {
        ColumnStats s = new ColumnStats(ColumnKind.STRING);
        String huge = "x".repeat(1_000_000);
        s.accept(huge);
        s.accept(huge + "y");
        Map<String, Object> m = s.toMap();
        assertThat((String) m.get("min")).hasSize(ColumnStats.MAX_RENDERED_CHARS + 1).endsWith("…");
        assertThat(m).containsEntry("distinct_count", 2L);
        assertThat(m.toString().length()).isLessThan(5_000);
    }

    @Test
    void countsDistinctNumbersAndTimestampsAsTheirValuesEqualityDoes() {
        ColumnStats doubles = new ColumnStats(ColumnKind.FLOAT64);
        for (double v : new double[] {0.0, -0.0, 0.0, Double.NaN, Double.longBitsToDouble(0x7ff8000000000001L), 1.5, 1.5}) {
            doubles.accept(v);
        }
        // Double.equals: -0.0 is not 0.0, every NaN is one value.
        assertThat(doubles.toMap()).containsEntry("distinct_count", 4L).containsEntry("nan_count", 2L)
                .containsEntry("min", -0.0).containsEntry("max", 1.5);

        ColumnStats longs = new ColumnStats(ColumnKind.INT64);
        for (long v : new long[] {Long.MIN_VALUE, Long.MIN_VALUE, 0, Long.MAX_VALUE, -7}) {
            longs.accept(v);
        }
        assertThat(longs.toMap()).containsEntry("distinct_count", 4L)
                .containsEntry("min", Long.MIN_VALUE).containsEntry("max", Long.MAX_VALUE);

        ColumnStats stamps = new ColumnStats(ColumnKind.TIMESTAMPTZ);
        var instant = java.time.OffsetDateTime.parse("2024-02-29T12:00:00Z");
        stamps.accept(instant);
        stamps.accept(instant.withOffsetSameInstant(java.time.ZoneOffset.ofHours(2)));
        stamps.accept(instant.plusNanos(1_000));
        assertThat(stamps.toMap()).containsEntry("distinct_count", 2L).containsEntry("max", instant.plusNanos(1_000));
    }

    @Test
    void theDistinctLimitCountsEveryValueOnceWhateverItsClass() {
        ColumnStats s = new ColumnStats(ColumnKind.TIMESTAMP);
        var start = java.time.LocalDateTime.parse("2024-01-01T00:00:00");
        for (long i = 0; i < ColumnStats.DISTINCT_LIMIT - 1; i++) {
            s.accept(start.plusSeconds(i));
        }
        // Not of the kind's class: counted beside the timestamps, not in place of one.
        s.accept("not a timestamp");
        assertThat(s.toMap()).containsEntry("distinct_count", (long) ColumnStats.DISTINCT_LIMIT)
                .containsEntry("distinct_count_exact", true);
        s.accept(start.minusSeconds(1));
        assertThat(s.toMap()).containsEntry("distinct_count", (long) ColumnStats.DISTINCT_LIMIT)
                .containsEntry("distinct_count_exact", false).containsEntry("min", start.minusSeconds(1));
    }
}
