package dev.dea.profile;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Equal-width histograms between a column's finite min and max. Integers and dates get whole-unit
 * buckets (so a bucket never splits a value), numbers and timestamps {@code width_bucket}'s ten
 * equal slices. Bucket numbers are computed in SQL; the bounds are computed here from the same
 * min and max, so both sides agree on every edge.
 */
final class Histograms {
    static final int BUCKETS = 10;

    private Histograms() {
    }

    /**
     * @param sqlBucket  SQL yielding the 0-based bucket of {@code expr}, NULL for NULL or non-finite values
     * @param bounds     {@code buckets + 1} bounds; the last is the max
     */
    record Plan(String sqlBucket, List<Object> bounds) {
        int buckets() {
            return bounds.size() - 1;
        }
    }

    /** Empty when there is nothing to bucket in SQL (no finite values, or a single distinct value). */
    static Optional<Plan> plan(StatKind kind, Object low, Object high, String expr, String finiteCondition) {
        if (low == null || high == null || low.equals(high)) {
            return Optional.empty();
        }
        String guarded = "CASE WHEN " + finiteCondition + " THEN %s END";
        return Optional.of(switch (kind) {
            case INTEGER, DATE -> {
                BigInteger lo = BigInteger.valueOf((Long) low);
                BigInteger span = BigInteger.valueOf((Long) high).subtract(lo).add(BigInteger.ONE);
                BigInteger[] qr = span.divideAndRemainder(BigInteger.valueOf(BUCKETS));
                BigInteger width = qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
                width = width.max(BigInteger.ONE);
                String value = kind == StatKind.DATE ? "((" + expr + ") - DATE '1970-01-01')" : "(" + expr + ")";
                // div() is exact; "/" rounds numeric quotients and can push the max into an 11th bucket.
                String bucket = "div(" + value + "::numeric - (" + lo + "), " + width + ")::int";
                List<Object> bounds = new ArrayList<>();
                for (BigInteger b = lo; b.compareTo(BigInteger.valueOf((Long) high)) <= 0; b = b.add(width)) {
                    bounds.add(kind == StatKind.DATE ? LocalDate.ofEpochDay(b.longValueExact()).toString() : b.longValueExact());
                }
                Object last = kind == StatKind.DATE ? LocalDate.ofEpochDay((Long) high).toString() : high;
                bounds.add(last);
                yield new Plan(guarded.formatted(bucket), bounds);
            }
            case DECIMAL -> {
                BigDecimal lo = (BigDecimal) low;
                BigDecimal hi = (BigDecimal) high;
                BigDecimal step = hi.subtract(lo).divide(BigDecimal.TEN);
                String bucket = "least(width_bucket(" + expr + ", " + lo.toPlainString() + "::numeric, "
                        + hi.toPlainString() + "::numeric, " + BUCKETS + "), " + BUCKETS + ") - 1";
                List<Object> bounds = new ArrayList<>();
                for (int i = 0; i < BUCKETS; i++) {
                    bounds.add(lo.add(step.multiply(BigDecimal.valueOf(i))).doubleValue());
                }
                bounds.add(hi.doubleValue());
                yield new Plan(guarded.formatted(bucket), bounds);
            }
            case FLOAT, TIMESTAMP, TIMESTAMPTZ -> {
                double lo = (Double) low;
                double hi = (Double) high;
                String value = kind == StatKind.FLOAT ? "(" + expr + ")::float8" : "extract(epoch FROM " + expr + ")::float8";
                String bucket = "least(width_bucket(" + value + ", " + literal(lo) + ", " + literal(hi) + ", "
                        + BUCKETS + "), " + BUCKETS + ") - 1";
                List<Object> bounds = new ArrayList<>();
                for (int i = 0; i < BUCKETS; i++) {
                    bounds.add(render(kind, lo + (hi - lo) * i / BUCKETS));
                }
                bounds.add(render(kind, hi));
                yield new Plan(guarded.formatted(bucket), bounds);
            }
            default -> throw new IllegalArgumentException("no histogram for " + kind);
        });
    }

    /** The buckets with their counts; buckets no row fell into are listed with 0. */
    static List<HistogramBucket> buckets(Plan plan, Map<Integer, Long> counts) {
        List<HistogramBucket> out = new ArrayList<>();
        for (int i = 0; i < plan.buckets(); i++) {
            out.add(new HistogramBucket(plan.bounds().get(i), plan.bounds().get(i + 1), counts.getOrDefault(i, 0L)));
        }
        return out;
    }

    /** One bucket holding every finite value, for a column whose finite values are all equal. */
    static List<HistogramBucket> single(StatKind kind, Object value, long count) {
        Object bound = switch (kind) {
            case DATE -> LocalDate.ofEpochDay((Long) value).toString();
            case TIMESTAMP, TIMESTAMPTZ -> render(kind, (Double) value);
            case DECIMAL -> ((BigDecimal) value).doubleValue();
            default -> value;
        };
        return List.of(new HistogramBucket(bound, bound, count));
    }

    private static String literal(double d) {
        return "'" + Double.toString(d) + "'::float8";
    }

    private static Object render(StatKind kind, double value) {
        if (kind == StatKind.FLOAT) {
            return ProfileValues.number(value);
        }
        long micros = Math.round(value * 1_000_000d);
        Instant instant = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
        return kind == StatKind.TIMESTAMPTZ
                ? instant.toString()
                : ProfileValues.iso(LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
    }
}
