package dev.dea.profile.postgresql;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class StatsEstimatesTest {
    @Test
    void readsQuotedEscapedAndNullElementsOfAnArrayLiteral() {
        assertThat(StatsEstimates.elements("{a,\"b c\",\"d\\\"e\",NULL,\"NULL\",\"x,y\"}"))
                .containsExactly("a", "b c", "d\"e", null, "NULL", "x,y");
        assertThat(StatsEstimates.elements("{}")).isEmpty();
    }

    @Test
    void refusesNestedOrMalformedArrayLiterals() {
        assertThat(StatsEstimates.elements("{{1,2},{3,4}}")).isNull();
        assertThat(StatsEstimates.elements("[1:2]={1,2}")).isNull();
        assertThat(StatsEstimates.elements("{\"unterminated}")).isNull();
        assertThat(StatsEstimates.elements(null)).isNull();
    }

    @Test
    void turnsStatisticsValuesIntoTheBucketingUnit() {
        assertThat(StatsEstimates.values(StatKind.DATE, "{1970-01-02,2020-01-01}")).containsExactly(1, 18262);
        assertThat(StatsEstimates.values(StatKind.TIMESTAMPTZ, "{\"1970-01-01 01:00:00+01\",\"1970-01-01 00:00:01.5+00\"}"))
                .containsExactly(0, 1.5);
        assertThat(StatsEstimates.values(StatKind.TIMESTAMPTZ, "{\"1970-01-01 05:30:00+05:30\"}")).containsExactly(0);
        assertThat(StatsEstimates.values(StatKind.TIMESTAMP, "{\"1970-01-01 00:01:00\"}")).containsExactly(60);
        assertThat(StatsEstimates.values(StatKind.DECIMAL, "{1.50,-2}")).containsExactly(1.5, -2);
    }

    @Test
    void givesUpOnValuesItCannotPlace() {
        assertThat(StatsEstimates.values(StatKind.DATE, "{2020-01-01,infinity}")).isNull();
        assertThat(StatsEstimates.values(StatKind.FLOAT, "{1,NaN}")).isNull();
        assertThat(StatsEstimates.values(StatKind.TIMESTAMP, "{\"0044-03-15 00:00:00 BC\"}")).isNull();
    }

    @Test
    void apportionsWholeCountsThatAddUpToTheTotal() {
        long[] counts = StatsEstimates.apportion(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, 100);
        assertThat(Arrays.stream(counts).sum()).isEqualTo(100);
        assertThat(counts).containsExactlyInAnyOrder(34, 33, 33);
        assertThat(StatsEstimates.apportion(new double[] {0, 1}, 7)).containsExactly(0, 7);
    }
}
