package dev.dea.profile.mysql;

import dev.dea.db.Aside;
import dev.dea.profile.SpareConnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * One pass over a table's columns, split in two statements over halves of the columns of
 * about equal cost when a {@link SpareConnection} is free: MariaDB has no parallel query,
 * and a pass costs per row and per aggregate (docs/benchmarks-mysql.md), so two statements on
 * two connections take about half the time of one on two cores. Each half fills only its own
 * columns' statistics, from its own statement's counts.
 */
final class SplitPass {
    /** A pass over fewer rows than this is not worth a second connection's round trips. */
    static final long SPLIT_FROM_ROWS = 10_000;

    private SplitPass() {
    }

    interface Pass<R> {
        R run(Connection c, List<ColumnStats> columns) throws SQLException;
    }

    /** Runs {@code pass}, split when worth it; returns what the calling connection's half returned. */
    static <R> R run(Connection c, SpareConnection spare, long rows, List<ColumnStats> columns,
                     ToIntFunction<ColumnStats> cost, Pass<R> pass) throws SQLException {
        if (rows < SPLIT_FROM_ROWS || columns.size() < 2) {
            return pass.run(c, columns);
        }
        List<List<ColumnStats>> halves = halves(columns, cost);
        Optional<Aside<R>> started = spare.start(c2 -> pass.run(c2, halves.get(1)));
        if (started.isEmpty()) {
            return pass.run(c, columns);
        }
        try (Aside<R> other = started.get()) {
            R mine = pass.run(c, halves.get(0));
            other.join();
            return mine;
        }
    }

    /** Two groups of about equal total cost (largest first, each to the lighter group), in column order. */
    static List<List<ColumnStats>> halves(List<ColumnStats> columns, ToIntFunction<ColumnStats> cost) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt((Integer i) -> -cost.applyAsInt(columns.get(i))).thenComparingInt(i -> i));
        boolean[] second = new boolean[columns.size()];
        long[] load = new long[2];
        for (int i : order) {
            int g = load[1] < load[0] ? 1 : 0;
            second[i] = g == 1;
            load[g] += cost.applyAsInt(columns.get(i));
        }
        List<ColumnStats> a = new ArrayList<>();
        List<ColumnStats> b = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            (second[i] ? b : a).add(columns.get(i));
        }
        return List.of(a, b);
    }
}
