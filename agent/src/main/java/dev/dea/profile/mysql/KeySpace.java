package dev.dea.profile.mysql;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.function.LongFunction;

/**
 * The span of a primary key that is not a 64-bit integer, from its smallest to its largest
 * value, cut into equal parts by interpolation, so that a sample can start a run of rows at a
 * random point of each part without reading the table ({@link Sampling}, {@code PRIMARY_KEY_RUNS}).
 *
 * <p>Each cut comes back as a SQL literal. Cuts are strictly increasing in the column's own
 * order; they need not match where the rows are (a skewed key gives uneven runs, never
 * overlapping ones). Strings are interpolated over digits and letters after the common prefix
 * of the smallest and largest key: same-length strings over {@code 0-9a-z} (or {@code 0-9A-Z})
 * sort alike in binary, {@code _general_ci}, {@code _unicode_ci} and {@code _0900_ai_ci}
 * collations. Literals are hexadecimal with a {@code _utf8mb4} introducer, so no key text is
 * ever quoted into SQL; a literal is coercible, so the column's collation (and its index) decides.
 */
sealed interface KeySpace {

    /**
     * Up to {@code parts} strictly increasing cuts, the i-th at a seeded random place in the
     * i-th of {@code parts} equal parts of the key span; fewer when the span is too narrow to
     * tell them apart (the caller then samples another way).
     */
    List<String> cuts(int parts, Random random);

    /**
     * The cuts of a span of whole numbers from {@code low} to {@code high}, each rendered as a
     * literal, dropping any that would not be above the one before.
     */
    private static List<String> cuts(long low, long high, int parts, Random random, LongFunction<String> literal) {
        List<String> out = new ArrayList<>();
        long previous = Long.MIN_VALUE;
        double span = (double) high - low;
        for (int i = 0; i < parts; i++) {
            long v = low + (long) ((i + random.nextDouble()) / parts * span);
            if (v > previous) {
                out.add(literal.apply(v));
                previous = v;
            }
        }
        return out;
    }

    /**
     * Strings: the common prefix, then {@link #DIGITS} digits over the narrowest alphabet that
     * holds both ends' suffixes (decimal, hexadecimal, or 0-9 plus letters), so that keys made of
     * hex (UUIDs) or digits are spread over the digits they use, not over unused letters. Under
     * a binary collation, where upper case sorts before lower case, ends in both cases get
     * {@code 0-9A-Za-z}; elsewhere letters of either case are one digit, as the collation has them.
     */
    record Text(String prefix, String alphabet, long low, long high) implements KeySpace {
        static final int DIGITS = 10;
        private static final List<String> ALPHABETS = List.of("0123456789", "0123456789abcdef", "0123456789ABCDEF",
                "0123456789abcdefghijklmnopqrstuvwxyz", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        /** Both cases in code point order: only for binary collations. */
        static final String MIXED = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

        /** @param binaryOrder the column's collation compares code points ({@code _bin}) */
        static Text of(String min, String max, boolean binaryOrder) {
            int p = 0;
            while (p < min.length() && p < max.length() && min.charAt(p) == max.charAt(p)) {
                p++;
            }
            if (p > 0 && Character.isHighSurrogate(min.charAt(p - 1))) {
                p--; // never split a 4-byte character
            }
            String a = min.substring(p, Math.min(min.length(), p + DIGITS));
            String b = max.substring(p, Math.min(max.length(), p + DIGITS));
            // The alphabet follows the letters and digits; separators such as a UUID's '-' clamp to a digit.
            String rest = (a + b).replaceAll("[^0-9A-Za-z]", "");
            boolean anyUpper = rest.chars().anyMatch(c -> c >= 'A' && c <= 'Z');
            boolean anyLower = rest.chars().anyMatch(c -> c >= 'a' && c <= 'z');
            String alphabet = ALPHABETS.stream().filter(al -> rest.chars().allMatch(c -> al.indexOf(c) >= 0)).findFirst()
                    .orElse(binaryOrder && anyUpper && anyLower ? MIXED : ALPHABETS.get(anyUpper && !anyLower ? 4 : 3));
            return new Text(min.substring(0, p), alphabet, value(a, alphabet), value(b, alphabet));
        }

        /** A suffix as a number of {@link #DIGITS} digits in {@code alphabet}; other characters clamp to the nearest digit. */
        static long value(String suffix, String alphabet) {
            long v = 0;
            for (int i = 0; i < DIGITS; i++) {
                v = v * alphabet.length() + (i < suffix.length() ? digit(suffix.charAt(i), alphabet) : 0);
            }
            return v;
        }

        private static int digit(char c, String alphabet) {
            int exact = alphabet.indexOf(c);
            if (exact >= 0) {
                return exact;
            }
            // Letters of the other case sort with theirs in case-insensitive collations; only
            // MIXED (binary collations) keeps the cases apart.
            boolean caseless = !alphabet.equals(MIXED);
            if (caseless && c < 128) {
                int folded = alphabet.indexOf(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
                if (folded >= 0) {
                    return folded;
                }
            }
            char key = caseless ? Character.toLowerCase(c) : c;
            for (int i = 0; i < alphabet.length(); i++) {
                char d = alphabet.charAt(i);
                if ((caseless ? Character.toLowerCase(d) : d) > key) {
                    return i;
                }
            }
            return alphabet.length() - 1;
        }

        @Override
        public List<String> cuts(int parts, Random random) {
            return KeySpace.cuts(low, high, parts, random, v -> literal(prefix + digits(v)));
        }

        private String digits(long v) {
            int radix = alphabet.length();
            char[] out = new char[DIGITS];
            for (int i = DIGITS - 1; i >= 0; i--) {
                out[i] = alphabet.charAt((int) (v % radix));
                v /= radix;
            }
            return new String(out);
        }

        static String literal(String text) {
            return "_utf8mb4 X'" + HexFormat.of().formatHex(text.getBytes(StandardCharsets.UTF_8)) + "'";
        }
    }

    /** Binary strings: the common prefix, then 7 bytes as one unsigned number. */
    record Bytes(byte[] prefix, long low, long high) implements KeySpace {
        static final int DIGITS = 7;

        static Bytes of(byte[] min, byte[] max) {
            int p = 0;
            while (p < min.length && p < max.length && min[p] == max[p]) {
                p++;
            }
            return new Bytes(Arrays.copyOf(min, p), value(min, p), value(max, p));
        }

        private static long value(byte[] key, int from) {
            long v = 0;
            for (int i = 0; i < DIGITS; i++) {
                v = (v << 8) | (from + i < key.length ? key[from + i] & 0xff : 0);
            }
            return v;
        }

        @Override
        public List<String> cuts(int parts, Random random) {
            return KeySpace.cuts(low, high, parts, random, v -> {
                byte[] cut = Arrays.copyOf(prefix, prefix.length + DIGITS);
                for (int j = 0; j < DIGITS; j++) {
                    cut[prefix.length + j] = (byte) (v >>> (8 * (DIGITS - 1 - j)));
                }
                return "X'" + HexFormat.of().formatHex(cut) + "'";
            });
        }
    }

    /** Decimals, floating point and integers past a signed 64-bit integer. */
    record Numeric(BigDecimal low, BigDecimal high, boolean integral, boolean approximate) implements KeySpace {
        @Override
        public List<String> cuts(int parts, Random random) {
            List<String> out = new ArrayList<>();
            BigDecimal previous = null;
            BigDecimal span = high.subtract(low);
            MathContext mc = MathContext.DECIMAL128;
            for (int i = 0; i < parts; i++) {
                BigDecimal share = BigDecimal.valueOf(i + random.nextDouble()).divide(BigDecimal.valueOf(parts), mc);
                BigDecimal v = low.add(span.multiply(share, mc), mc);
                if (integral) {
                    v = v.setScale(0, RoundingMode.FLOOR);
                }
                // A float column compares with a double; a decimal or integer one exactly. A
                // double past its range would print as "Infinity", which SQL reads as a name.
                boolean finite = !approximate || Double.isFinite(v.doubleValue());
                if (finite && (previous == null || v.compareTo(previous) > 0)) {
                    out.add(approximate ? Double.toString(v.doubleValue()) : v.toPlainString());
                    previous = v;
                }
            }
            return out;
        }
    }

    /**
     * The key span of a column of {@code kind} and SQL type {@code type} between {@code min} and
     * {@code max}, if one can be cut; {@code collation} is a text key's (empty: not known).
     */
    static Optional<KeySpace> of(MySqlKind kind, String type, Object min, Object max, Optional<String> collation) {
        if (min == null || max == null) {
            return Optional.empty();
        }
        String base = type.toLowerCase(Locale.ROOT).replaceAll("[ (].*", "");
        return switch (kind) {
            // Only keys whose index holds the whole value: a TEXT/BLOB key is a prefix index, and
            // ORDER BY on it would sort each part instead of reading it in order.
            case TEXT -> base.equals("char") || base.equals("varchar")
                    ? Optional.of(Text.of((String) min, (String) max,
                    collation.filter(name -> name.toLowerCase(Locale.ROOT).endsWith("_bin")).isPresent()))
                    : Optional.empty();
            case BYTES -> base.equals("binary") || base.equals("varbinary")
                    ? Optional.of(Bytes.of((byte[]) min, (byte[]) max)) : Optional.empty();
            case INTEGER, DECIMAL, FLOAT -> Optional.of(new Numeric((BigDecimal) min, (BigDecimal) max,
                    kind == MySqlKind.INTEGER, kind == MySqlKind.FLOAT));
            default -> Optional.empty();
        };
    }
}
