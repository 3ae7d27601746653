package dev.dea.frame;

/**
 * A set of {@code long}s by open addressing, for counting distinct values of fixed-width
 * columns without boxing each one: a frame's stats look up every value of every such column,
 * and a {@code HashMap<Object, …>} spent more time there than the rest of writing the frame.
 * Grows by doubling and stays at most half full. Not thread-safe.
 */
final class LongSet {
    /** Marks a free slot; the key of that value itself is held by {@link #hasFree}. */
    private static final long FREE = Long.MIN_VALUE;
    private long[] slots = newSlots(16);
    /** 64 minus log2 of the table's length: the hash's top bits index it, at any size. */
    private int shift = 64 - 4;
    private int size;
    private boolean hasFree;

    int size() {
        return size;
    }

    boolean contains(long key) {
        if (key == FREE) {
            return hasFree;
        }
        int mask = slots.length - 1;
        for (int i = index(key); ; i = (i + 1) & mask) {
            long k = slots[i];
            if (k == key) {
                return true;
            }
            if (k == FREE) {
                return false;
            }
        }
    }

    /** Adds {@code key}; false if it was there already. */
    boolean add(long key) {
        if (key == FREE) {
            if (hasFree) {
                return false;
            }
            hasFree = true;
            size++;
            return true;
        }
        int mask = slots.length - 1;
        int i = index(key);
        for (long k; (k = slots[i]) != FREE; i = (i + 1) & mask) {
            if (k == key) {
                return false;
            }
        }
        slots[i] = key;
        if (++size * 2 > slots.length) {
            grow();
        }
        return true;
    }

    private void grow() {
        long[] old = slots;
        slots = newSlots(old.length * 2);
        shift--;
        int mask = slots.length - 1;
        for (long k : old) {
            if (k != FREE) {
                int i = index(k);
                while (slots[i] != FREE) {
                    i = (i + 1) & mask;
                }
                slots[i] = k;
            }
        }
    }

    private int index(long key) {
        // Fibonacci hashing: consecutive ids, days and microseconds spread over the table.
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    }

    private static long[] newSlots(int n) {
        long[] s = new long[n];
        java.util.Arrays.fill(s, FREE);
        return s;
    }
}
