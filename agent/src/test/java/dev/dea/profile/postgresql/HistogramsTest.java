package dev.dea.profile.postgresql;

import dev.dea.profile.HistogramBucket;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HistogramsTest {
    private static Histograms.Plan plan(StatKind kind, Object low, Object high) {
        return Histograms.plan(kind, low, high, "src.\"x\"", "true").orElseThrow();
    }

    @Test
    void integerBucketsHaveWholeWidthsAndEndAtTheMax() {
        Histograms.Plan p = plan(StatKind.INTEGER, 1L, 1000L);
        assertThat(p.buckets()).isEqualTo(10);
        assertThat(p.bounds()).containsExactly(1L, 101L, 201L, 301L, 401L, 501L, 601L, 701L, 801L, 901L, 1000L);
        assertThat(p.sqlBucket()).contains("div(").contains("100)");
    }

    @Test
    void fewIntegerValuesGetOneBucketEach() {
        Histograms.Plan p = plan(StatKind.INTEGER, 3L, 7L);
        assertThat(p.bounds()).containsExactly(3L, 4L, 5L, 6L, 7L, 7L);
        assertThat(p.buckets()).isEqualTo(5);
    }

    @Test
    void theFullBigintRangeDoesNotOverflow() {
        Histograms.Plan p = plan(StatKind.INTEGER, Long.MIN_VALUE, Long.MAX_VALUE);
        assertThat(p.buckets()).isEqualTo(10);
        assertThat(p.bounds().get(0)).isEqualTo(Long.MIN_VALUE);
        assertThat(p.bounds().get(10)).isEqualTo(Long.MAX_VALUE);
        assertThat(p.sqlBucket()).contains("(-9223372036854775808)");
    }

    @Test
    void dateBucketsAreWholeDaysRenderedAsIsoDates() {
        long from = LocalDate.parse("2024-01-01").toEpochDay();
        Histograms.Plan p = plan(StatKind.DATE, from, from + 99);
        assertThat(p.bounds()).startsWith("2024-01-01", "2024-01-11").endsWith("2024-04-09");
        assertThat(p.sqlBucket()).contains("DATE '1970-01-01'");
    }

    @Test
    void decimalAndFloatBucketsSplitTheRangeInTen() {
        Histograms.Plan d = plan(StatKind.DECIMAL, new BigDecimal("0.99"), new BigDecimal("4.99"));
        assertThat(d.bounds()).startsWith(0.99, 1.39).endsWith(4.99);
        assertThat(d.sqlBucket()).contains("width_bucket(src.\"x\", 0.99::numeric, 4.99::numeric, 10)");
        Histograms.Plan f = plan(StatKind.FLOAT, 0.0, 1.0);
        assertThat(f.bounds()).hasSize(11).startsWith(0.0, 0.1).endsWith(1.0);
        assertThat(f.sqlBucket()).contains("'0.0'::float8", "'1.0'::float8");
    }

    @Test
    void timestampBoundsAreIsoStrings() {
        Histograms.Plan tz = plan(StatKind.TIMESTAMPTZ, 0.0, 864_000.0);
        assertThat(tz.bounds()).startsWith("1970-01-01T00:00:00Z", "1970-01-02T00:00:00Z");
        Histograms.Plan local = plan(StatKind.TIMESTAMP, 0.5, 10.5);
        assertThat(local.bounds().get(0)).isEqualTo("1970-01-01T00:00:00.5");
        assertThat(local.sqlBucket()).contains("extract(epoch FROM src.\"x\")");
    }

    @Test
    void bucketsNoRowFellIntoCountZero() {
        Histograms.Plan p = plan(StatKind.INTEGER, 1L, 3L);
        List<HistogramBucket> buckets = Histograms.buckets(p, Map.of(0, 5L, 2, 7L));
        assertThat(buckets).containsExactly(new HistogramBucket(1L, 2L, 5), new HistogramBucket(2L, 3L, 0),
                new HistogramBucket(3L, 3L, 7));
    }

    @Test
    void noPlanForASingleValueOrNoValues() {
        assertThat(Histograms.plan(StatKind.INTEGER, 5L, 5L, "x", "true")).isEmpty();
        assertThat(Histograms.plan(StatKind.INTEGER, null, null, "x", "true")).isEmpty();
        assertThat(Histograms.single(StatKind.DATE, 0L, 3)).containsExactly(
                new HistogramBucket("1970-01-01", "1970-01-01", 3));
    }
}
