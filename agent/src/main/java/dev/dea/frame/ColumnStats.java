package dev.dea.frame;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Streaming statistics of one column, in bounded memory: distinct values and value
 * counts are tracked exactly up to {@link #DISTINCT_LIMIT} values, after which the
 * distinct count is reported as a lower bound ({@code distinct_count_exact: false}).
 * Not thread-safe: one accumulator belongs to one writer.
 */
public final class ColumnStats {
    static final int DISTINCT_LIMIT = 10_000;
    private static final int TOP_VALUES = 5;
    /** Stats are metadata: a long text value is shown by its prefix, so one huge cell cannot bloat every response. */
    static final int MAX_RENDERED_CHARS = 200;

    private final ColumnKind kind;
    private long count;
    private long nulls;
    private long nanCount;
    /** Comparable values of the column's class (Long and Double compared unboxed). */
    private Object min;
    private Object max;
    // Welford's running mean and variance, stable for long streams.
    private long numericCount;
    private double mean;
    private double m2;
    private final Map<Object, Counter> counts = new HashMap<>();
    /**
     * Distinct values of the kinds whose top values are not shown (numbers, timestamps), as
     * long keys: every value of such a column is looked up, and boxing it into {@link #counts}
     * cost more than the rest of writing the frame. Values of another class stay in {@link #counts}.
     */
    private final LongSet keys;
    private boolean countsOverflowed;
    // The kind's properties, read for every value.
    private final boolean numeric;
    private final boolean ordered;
    private final boolean textOrdered;

    public ColumnStats(ColumnKind kind) {
        this.kind = java.util.Objects.requireNonNull(kind, "kind");
        this.numeric = kind.isNumeric();
        this.ordered = kind.isOrdered();
        this.textOrdered = kind == ColumnKind.STRING;
        this.keys = kind == ColumnKind.INT64 || kind == ColumnKind.FLOAT64 || kind == ColumnKind.TIMESTAMP
                || kind == ColumnKind.TIMESTAMPTZ ? new LongSet() : null;
    }

    public ColumnKind kind() {
        return kind;
    }

    public long nullCount() {
        return nulls;
    }

    /** Counts one value (null for SQL NULL). Plain type tests, not a pattern switch: this runs for every cell of a frame. */
    public void accept(Object value) {
        count++;
        if (value == null) {
            nulls++;
            return;
        }
        if (value instanceof Double d) {
            double x = d;
            if (x != x) {
                nanCount++;
                track(value);
                return;
            }
            if (numeric) {
                addNumeric(x);
            }
        } else if (numeric && value instanceof Number n) {
            addNumeric(n instanceof BigDecimal b ? b.doubleValue() : n.doubleValue());
        }
        if (ordered && (textOrdered || !(value instanceof String))) {
            minMax(value);
        }
        if (!countsOverflowed) {
            track(value);
        }
    }

    @SuppressWarnings("unchecked")
    private void minMax(Object value) {
        if (min == null) {
            if (value instanceof Comparable<?>) {
                min = value;
                max = value;
            }
            return;
        }
        // Longs and doubles compared unboxed; Double.compare orders as Double.compareTo does (-0.0 < 0.0).
        if (value instanceof Long l && min instanceof Long lo && max instanceof Long hi) {
            if (l < lo) {
                min = value;
            } else if (l > hi) {
                max = value;
            }
        } else if (value instanceof Double d && min instanceof Double lo && max instanceof Double hi) {
            if (Double.compare(d, lo) < 0) {
                min = value;
            } else if (Double.compare(d, hi) > 0) {
                max = value;
            }
        } else if (value instanceof Comparable<?> c) {
            Comparable<Object> cmp = (Comparable<Object>) c;
            if (cmp.compareTo(min) < 0) {
                min = value;
            }
            if (cmp.compareTo(max) > 0) {
                max = value;
            }
        }
    }

    private void addNumeric(double x) {
        if (Double.isInfinite(x)) {
            return;
        }
        numericCount++;
        double delta = x - mean;
        mean += delta / numericCount;
        m2 += delta * (x - mean);
    }

    /** A long value in the distinct map, held by prefix and hash so 10,000 of them stay small. */
    private record Clipped(String prefix, int length, int hash) {
        @Override
        public String toString() {
            return prefix + "…";
        }
    }

    private static Object clip(String s) {
        return s.length() <= MAX_RENDERED_CHARS ? s : new Clipped(s.substring(0, MAX_RENDERED_CHARS), s.length(), s.hashCode());
    }

    private void track(Object value) {
        if (keys != null) {
            long key;
            if (value instanceof Long l && kind == ColumnKind.INT64) {
                key = l;
            } else if (value instanceof Double d && kind == ColumnKind.FLOAT64) {
                // Double.equals' identity: canonical NaN, -0.0 apart from 0.0.
                key = Double.doubleToLongBits(d);
            } else if (value instanceof java.time.LocalDateTime t && kind == ColumnKind.TIMESTAMP) {
                key = EpochTime.micros(t);
            } else if (value instanceof java.time.OffsetDateTime t && kind == ColumnKind.TIMESTAMPTZ) {
                key = EpochTime.micros(t);
            } else {
                trackObject(value);
                return;
            }
            // One probe below the limit; at it, a new key means the column has more values than are counted.
            if (distinctCount() < DISTINCT_LIMIT) {
                keys.add(key);
            } else if (!keys.contains(key)) {
                countsOverflowed = true;
            }
            return;
        }
        trackObject(value);
    }

    private long distinctCount() {
        return counts.size() + (keys == null ? 0 : keys.size());
    }

    private void trackObject(Object value) {
        Object key = switch (value) {
            case String str -> clip(str);
            case byte[] b -> b.length <= MAX_RENDERED_CHARS / 2 ? java.util.HexFormat.of().formatHex(b)
                    : new Clipped(java.util.HexFormat.of().formatHex(b, 0, MAX_RENDERED_CHARS / 2), b.length, java.util.Arrays.hashCode(b));
            case Object[] a -> clip(java.util.Arrays.deepToString(a));
            case FrameValues.RawJson j -> clip(j.json());
            // 1.0 and 1.00 are one value to a reader of the stats.
            case BigDecimal d -> d.stripTrailingZeros();
            // Temporal objects hash poorly (date and time hashes XOR into few buckets): key them by an
            // epoch number instead, and keep the value itself for rendering.
            case java.time.LocalDate d -> EpochTime.days(d);
            case java.time.LocalDateTime t -> EpochTime.micros(t);
            case java.time.OffsetDateTime t -> EpochTime.micros(t);
            default -> value;
        };
        Counter c = counts.get(key);
        if (c != null) {
            c.count++;
        } else if (distinctCount() < DISTINCT_LIMIT) {
            counts.put(key, new Counter(value instanceof String || value instanceof byte[] || value instanceof Object[]
                    || value instanceof FrameValues.RawJson ? key : value));
        } else {
            // From here on the column is known to be high-cardinality: distinct_count is a lower bound and
            // top values describe the rows seen so far, so tracking further values is wasted work.
            countsOverflowed = true;
        }
    }

    private static final class Counter {
        final Object value;
        long count = 1;

        Counter(Object value) {
            this.value = value;
        }
    }

    /** The stats as rendered in {@code result_schema[].stats}; keys absent where meaningless. */
    public Map<String, Object> toMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", count);
        out.put("null_count", nulls);
        out.put("distinct_count", distinctCount());
        out.put("distinct_count_exact", !countsOverflowed);
        if (nanCount > 0) {
            out.put("nan_count", nanCount);
        }
        if (min != null) {
            out.put("min", render(min));
            out.put("max", render(max));
        }
        if (kind.isNumeric() && numericCount > 0) {
            out.put("mean", mean);
            out.put("std", numericCount > 1 ? Math.sqrt(m2 / (numericCount - 1)) : null);
        }
        if (!kind.isNumeric() && kind != ColumnKind.TIMESTAMP && kind != ColumnKind.TIMESTAMPTZ && !counts.isEmpty()) {
            out.put("top_values", topValues());
        }
        return out;
    }

    private static Object render(Object value) {
        if (value instanceof String s && s.length() > MAX_RENDERED_CHARS) {
            return s.substring(0, MAX_RENDERED_CHARS) + "…";
        }
        return value instanceof Clipped c ? c.toString() : value;
    }

    private List<Map<String, Object>> topValues() {
        List<Counter> counters = new ArrayList<>(counts.values());
        counters.sort(Comparator.comparingLong((Counter c) -> -c.count).thenComparing(c -> String.valueOf(c.value)));
        List<Map<String, Object>> top = new ArrayList<>();
        for (int i = 0; i < Math.min(TOP_VALUES, counters.size()); i++) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("value", render(counters.get(i).value));
            item.put("count", counters.get(i).count);
            top.add(item);
        }
        return top;
    }
}
