package dev.dea.profile.mysql;

import dev.dea.profile.SpareConnection;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SplitPassTest {
    private static ColumnStats column(String name, String type, boolean nullable) {
        return new ColumnStats(name, type, nullable, "s.`" + name + "`");
    }

    private static final List<ColumnStats> TEN = List.of(column("id", "int", false), column("qty", "int", true),
            column("amount", "bigint", true), column("price", "decimal(10,2)", true), column("rate", "decimal(12,4)", true),
            column("score", "double", true), column("ratio", "double", true), column("name", "varchar(40)", true),
            column("category", "varchar(20)", true), column("day", "date", true));

    @Test
    void halvesBalanceTheFirstPassCostAndKeepEveryColumnOnceInOrder() {
        List<List<ColumnStats>> halves = SplitPass.halves(TEN, AggregateScan::cost);

        List<ColumnStats> all = new ArrayList<>(halves.get(0));
        all.addAll(halves.get(1));
        assertThat(all).containsExactlyInAnyOrderElementsOf(TEN);
        assertThat(halves.get(0)).isSortedAccordingTo((a, b) -> TEN.indexOf(a) - TEN.indexOf(b));
        assertThat(halves.get(1)).isSortedAccordingTo((a, b) -> TEN.indexOf(a) - TEN.indexOf(b));
        int a = halves.get(0).stream().mapToInt(AggregateScan::cost).sum();
        int b = halves.get(1).stream().mapToInt(AggregateScan::cost).sum();
        assertThat(Math.abs(a - b)).as("costs %d and %d", a, b).isLessThanOrEqualTo(2);
        // The text columns (the dearest: string comparisons and CHAR_LENGTH) land in different halves.
        assertThat(halves.get(0).contains(TEN.get(7))).isNotEqualTo(halves.get(0).contains(TEN.get(8)));
    }

    @Test
    void withoutASpareConnectionThePassRunsOnceOverEveryColumn() throws Exception {
        List<List<ColumnStats>> calls = new ArrayList<>();
        long rows = SplitPass.run(null, SpareConnection.NONE, 1_000_000, TEN, AggregateScan::cost, (c, group) -> {
            calls.add(group);
            return 42L;
        });
        assertThat(rows).isEqualTo(42L);
        assertThat(calls).containsExactly(TEN);
    }
}
