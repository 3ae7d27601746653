package dev.dea.profile.postgresql;

import dev.dea.profile.HistogramBucket;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
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

    /**
     * The same buckets as {@link #plan}, counted without grouping: {@code bucketSql} is the 0-based
     * bucket of a value (integer arithmetic for integers and dates, {@code width_bucket} over the
     * inner bounds otherwise; NULL for NULL), for one packed {@code sum} per column (see {@link #packedSum}).
     */
    record Packed(Plan plan, String bucketSql) {
    }

    static Optional<Packed> packed(StatKind kind, Object low, Object high, String expr) {
        return plan(kind, low, high, expr, "true").map(plan -> {
            List<Object> bounds = plan.bounds();
            String bucket = switch (kind) {
                case INTEGER -> {
                    long lo = (Long) low;
                    long width = ((Long) bounds.get(1)) - lo;
                    // x - lo cannot overflow when the whole span fits in a bigint.
                    boolean fits = BigInteger.valueOf((Long) high).subtract(BigInteger.valueOf(lo)).bitLength() < 63;
                    yield fits ? "((" + expr + ")::int8 - (" + lo + ")) / " + width
                            : "width_bucket((" + expr + ")::numeric, '" + arrayLiteral(bounds, plan.buckets()) + "'::numeric[])";
                }
                case DATE -> {
                    long width = LocalDate.parse((String) bounds.get(1)).toEpochDay() - (Long) low;
                    yield "((" + expr + ") - DATE '" + bounds.get(0) + "') / " + width;
                }
                case DECIMAL -> {
                    // Exact edges, not the doubles shown: the ones width_bucket(x, lo, hi, 10) would use.
                    BigDecimal lo = (BigDecimal) low;
                    BigDecimal step = ((BigDecimal) high).subtract(lo).divide(BigDecimal.TEN);
                    List<Object> edges = new ArrayList<>();
                    for (int i = 0; i <= plan.buckets(); i++) {
                        edges.add(lo.add(step.multiply(BigDecimal.valueOf(i))).toPlainString());
                    }
                    yield "width_bucket(" + expr + ", '" + arrayLiteral(edges, plan.buckets()) + "'::numeric[])";
                }
                case FLOAT -> "width_bucket((" + expr + ")::float8, '" + arrayLiteral(bounds, plan.buckets())
                        + "'::float8[])";
                case TIMESTAMP -> "width_bucket(" + expr + ", '" + arrayLiteral(bounds, plan.buckets()) + "'::timestamp[])";
                case TIMESTAMPTZ -> "width_bucket(" + expr + ", '" + arrayLiteral(bounds, plan.buckets())
                        + "'::timestamptz[])";
                default -> throw new IllegalArgumentException("no histogram for " + kind);
            };
            return new Packed(plan, bucket);
        });
    }

    /** The inner bounds 1 .. buckets-1 as an array literal: width_bucket then yields the 0-based bucket. */
    private static String arrayLiteral(List<Object> bounds, int buckets) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 1; i < buckets; i++) {
            sb.append(i == 1 ? "" : ",").append('"').append(bounds.get(i)).append('"');
        }
        return sb.append('}').toString();
    }

    /**
     * SQL summing, over rows, {@code 10^(digits * bucket)}: one aggregate carries every bucket's
     * count in its own {@code digits} decimal digits (a count never exceeds the rows, which fit).
     */
    static String packedSum(String bucketSql, int buckets, int digits) {
        StringBuilder powers = new StringBuilder("{");
        for (int i = 0; i < buckets; i++) {
            powers.append(i == 0 ? "" : ",").append("1e").append(digits * i);
        }
        return "('" + powers.append('}') + "'::numeric[])[(" + bucketSql + ") + 1]";
    }

    /** The counts of {@link #packedSum}'s total. */
    static Map<Integer, Long> unpack(BigInteger total, int buckets, int digits) {
        BigInteger base = BigInteger.TEN.pow(digits);
        Map<Integer, Long> counts = new java.util.HashMap<>();
        BigInteger rest = total;
        for (int i = 0; i < buckets; i++) {
            BigInteger[] qr = rest.divideAndRemainder(base);
            counts.put(i, qr[1].longValueExact());
            rest = qr[0];
        }
        return counts;
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
                ? ProfileValues.iso(OffsetDateTime.ofInstant(instant, ZoneOffset.UTC))
                : ProfileValues.iso(LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
    }
}
