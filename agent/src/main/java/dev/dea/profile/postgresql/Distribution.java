package dev.dea.profile.postgresql;

import dev.dea.profile.HistogramBucket;
import java.util.List;

/**
 * A distribution as point masses (most common values) and uniform bins (histogram bounds or
 * buckets); quantiles are found by bisection of its cumulative mass.
 */
record Distribution(double[] points, double[] pointMass, double[] binStart, double[] binEnd, double[] binMass) {
    /**
     * From a column's {@code pg_stats}, its most common values and histogram bounds already read as
     * numbers ({@link StatsEstimates#values}); null for either means none, or none readable.
     */
    static Distribution fromStats(FastDistribution.ColumnStats s, double[] mcv, double[] bounds) {
        double[] freqs = new double[mcv == null ? 0 : mcv.length];
        if (mcv != null && s.mostCommonFreqs() != null && s.mostCommonFreqs().length == mcv.length) {
            for (int i = 0; i < freqs.length; i++) {
                freqs[i] = ((Number) s.mostCommonFreqs()[i]).doubleValue();
            }
        } else {
            mcv = new double[0];
        }
        if (mcv.length == 0 && (bounds == null || bounds.length < 2)) {
            return null;
        }
        double mcvTotal = 0;
        for (double f : freqs) {
            mcvTotal += f;
        }
        double histTotal = Math.max(0, 1 - s.nullFrac() - mcvTotal);
        int bins = bounds == null || bounds.length < 2 ? 0 : bounds.length - 1;
        double[] start = new double[bins];
        double[] end = new double[bins];
        double[] mass = new double[bins];
        for (int i = 0; i < bins; i++) {
            start[i] = bounds[i];
            end[i] = bounds[i + 1];
            mass[i] = histTotal / bins;
        }
        return new Distribution(mcv, freqs, start, end, mass);
    }

    static Distribution fromHistogram(List<HistogramBucket> buckets) {
        int n = buckets.size();
        double[] start = new double[n];
        double[] end = new double[n];
        double[] mass = new double[n];
        for (int i = 0; i < n; i++) {
            HistogramBucket b = buckets.get(i);
            if (!(b.bucketStart() instanceof Number s) || !(b.bucketEnd() instanceof Number e)) {
                return null;
            }
            start[i] = s.doubleValue();
            end[i] = e.doubleValue();
            mass[i] = b.count();
        }
        return new Distribution(new double[0], new double[0], start, end, mass);
    }

    double below(double x) {
        return below(x, false);
    }

    /** The mass below {@code x}: of values {@code < x} when {@code strict}, else {@code <= x}. */
    double below(double x, boolean strict) {
        double m = 0;
        for (int i = 0; i < points.length; i++) {
            if (strict ? points[i] < x : points[i] <= x) {
                m += pointMass[i];
            }
        }
        for (int i = 0; i < binStart.length; i++) {
            if (x >= binEnd[i]) {
                m += binMass[i];
            } else if (x > binStart[i]) {
                m += binMass[i] * (x - binStart[i]) / (binEnd[i] - binStart[i]);
            }
        }
        return m;
    }

    /** The smallest value in [low, high] with at least fraction {@code q} of the mass at or below it. */
    double quantile(double q, double low, double high) {
        double target = q * below(Double.POSITIVE_INFINITY);
        double a = low;
        double b = high;
        for (int i = 0; i < 100 && a < b; i++) {
            double mid = a + (b - a) / 2;
            if (mid <= a || mid >= b) {
                break;
            }
            if (below(mid) >= target) {
                b = mid;
            } else {
                a = mid;
            }
        }
        return b;
    }
}
