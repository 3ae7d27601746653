package dev.dea.profile.mysql;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MySqlProfileMathTest {
    @Test
    void distinctCountsOfASampleAreExtrapolatedOnlyWhereTheSampleIsSmaller() {
        assertThat(DistributionScan.estimateDistinct(5, 0, 20_000, 1_000_000)).isEqualTo(5); // saturated
        assertThat(DistributionScan.estimateDistinct(20_000, 20_000, 20_000, 1_000_000)).isEqualTo(1_000_000); // unique
        assertThat(DistributionScan.estimateDistinct(300, 10, 500, 500)).isEqualTo(300); // the whole column
        long mixed = DistributionScan.estimateDistinct(15_000, 12_000, 20_000, 1_000_000);
        assertThat(mixed).isBetween(15_000L, 1_000_000L);
    }

    @Test
    void scaledHistogramCountsAddUpToTheScaledTotal() {
        long[] scaled = DistributionScan.apportion(new long[] {1, 1, 1}, 10.0 / 3);
        assertThat(scaled[0] + scaled[1] + scaled[2]).isEqualTo(10);
        assertThat(DistributionScan.apportion(new long[] {0, 7}, 1)).containsExactly(0, 7);
    }

    @Test
    void columnTypesMapToStatisticKinds() {
        assertThat(MySqlKind.of("int(10) unsigned")).isEqualTo(MySqlKind.INTEGER);
        assertThat(MySqlKind.of("decimal(10,2)")).isEqualTo(MySqlKind.DECIMAL);
        assertThat(MySqlKind.of("double")).isEqualTo(MySqlKind.FLOAT);
        assertThat(MySqlKind.of("datetime(6)")).isEqualTo(MySqlKind.DATETIME);
        assertThat(MySqlKind.of("enum('a','b')")).isEqualTo(MySqlKind.ENUM);
        assertThat(MySqlKind.of("set('a')").orderable()).isFalse();
        assertThat(MySqlKind.of("json").opaque()).isTrue();
        assertThat(MySqlKind.of("longblob").opaque()).isTrue();
        assertThat(MySqlKind.of("point")).isEqualTo(MySqlKind.GEOMETRY);
        assertThat(MySqlKind.of("mediumtext")).isEqualTo(MySqlKind.TEXT);
    }

    @Test
    void histogramKeysCountFromYearZeroLikeToDaysAndToSeconds() {
        assertThat(AggregateScan.keyOf(MySqlKind.DATE, "1970-01-01")).isEqualTo(719_528.0);
        assertThat(AggregateScan.keyOf(MySqlKind.DATETIME, "1970-01-01T00:00:01")).isEqualTo(719_528.0 * 86_400 + 1);
        assertThat(AggregateScan.keyOf(MySqlKind.DATE, "0000-00-00")).isNull();
        assertThat(AggregateScan.value(MySqlKind.INTEGER, "18446744073709551615")).isEqualTo("18446744073709551615");
        assertThat(AggregateScan.value(MySqlKind.DATETIME, "2024-01-01 10:00:00")).isEqualTo("2024-01-01T10:00:00");
    }
}
