package dev.dea.profile.postgresql;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DistributionTest {
    @Test
    void estimatedQuartilesInterpolateTheDistribution() {
        FastDistribution.ColumnStats stats = new FastDistribution.ColumnStats(0, -1, null, null,
                "{0,10,20,30,40,50,60,70,80,90,100}");
        Distribution d = Distribution.fromStats(stats, null, StatsEstimates.values(StatKind.FLOAT, stats.histogramBounds()));
        assertThat(d.quantile(0.5, 0, 100)).isCloseTo(50, within(1e-6));
        assertThat(d.quantile(0.25, 0, 100)).isCloseTo(25, within(1e-6));
        FastDistribution.ColumnStats mcv = new FastDistribution.ColumnStats(0.5, 3, "{1,2,3}",
                new Object[] {0.1f, 0.3f, 0.1f}, null);
        // Half the rows are NULL: of the rest, 20% are 1, 60% are 2 and 20% are 3.
        Distribution m = Distribution.fromStats(mcv, StatsEstimates.values(StatKind.FLOAT, mcv.mostCommonValues()), null);
        assertThat(m.quantile(0.25, 1, 3)).isCloseTo(2, within(1e-6));
        assertThat(m.quantile(0.75, 1, 3)).isCloseTo(2, within(1e-6));
        assertThat(StatsEstimates.values(StatKind.FLOAT, "{1.5,NaN}")).isNull();
        assertThat(StatsEstimates.values(StatKind.FLOAT, "{1.5,-2}")).containsExactly(1.5, -2.0);
    }
}
