package dev.dea.profile.mysql;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class KeySpaceTest {
    private static final HexFormat HEX = HexFormat.of();

    private static List<String> cuts(KeySpace space, int parts) {
        return space.cuts(parts, new Random(42));
    }

    /** The text of a {@code _utf8mb4 X'..'} literal. */
    private static String text(String literal) {
        assertThat(literal).startsWith("_utf8mb4 X'").endsWith("'");
        return new String(HEX.parseHex(literal.substring(11, literal.length() - 1)), StandardCharsets.UTF_8);
    }

    @Test
    void uuidKeysAreCutIntoStrictlyIncreasingPointsSpreadOverTheirFirstCharacter() {
        KeySpace space = KeySpace.Text.of("0000104c-d168-386a-335b-a6bf6e32219d", "fffffe98-d096-3d27-015c-198262d97221", false);
        List<String> texts = cuts(space, 100).stream().map(KeySpaceTest::text).toList();
        assertThat(texts).hasSize(100).isSortedAccordingTo(String::compareTo).doesNotHaveDuplicates();
        assertThat(texts).allSatisfy(t -> assertThat(t).matches("[0-9a-f]{10}"));
        // Each of the 16 hex digits starts some cut: the cuts follow the keys' span, not the alphabet's.
        assertThat(texts.stream().map(t -> t.charAt(0)).distinct().count()).isGreaterThanOrEqualTo(15);
        assertThat(texts.get(0)).isGreaterThanOrEqualTo("0000");
        assertThat(texts.get(99)).isLessThanOrEqualTo("fffffe");
    }

    @Test
    void theCommonPrefixIsKeptAndUpperCaseKeysGetUpperCaseCuts() {
        List<String> texts = cuts(KeySpace.Text.of("ORD-A00017", "ORD-Z98812", false), 10).stream().map(KeySpaceTest::text)
                .toList();
        assertThat(texts).hasSize(10).isSortedAccordingTo(String::compareTo)
                .allSatisfy(t -> assertThat(t).matches("ORD-[0-9A-Z]{10}"));
    }

    @Test
    void theAlphabetIsTheNarrowestThatHoldsBothEnds() {
        assertThat(KeySpace.Text.of("5a3b1234-d1", "5a6e0000-00", false).alphabet()).isEqualTo("0123456789abcdef");
        assertThat(KeySpace.Text.of("INV-0000017", "INV-0099812", false).alphabet()).isEqualTo("0123456789");
        assertThat(KeySpace.Text.of("5A3B", "5A6E", false).alphabet()).isEqualTo("0123456789ABCDEF");
        assertThat(KeySpace.Text.of("alice@example.com", "zoe@example.com", false).alphabet()).hasSize(36);
        List<String> decimal = cuts(KeySpace.Text.of("INV-0000017", "INV-0099812", false), 20).stream()
                .map(KeySpaceTest::text).toList();
        assertThat(decimal).allSatisfy(t -> assertThat(t).matches("INV-00[0-9]{10}"));
    }

    @Test
    void mixedCaseKeysUnderABinaryCollationAreCutInCodePointOrderOverBothCases() {
        KeySpace.Text binary = KeySpace.Text.of("K000002", "k019999", true);
        assertThat(binary.alphabet()).isEqualTo(KeySpace.Text.MIXED);
        List<String> texts = cuts(binary, 20).stream().map(KeySpaceTest::text).toList();
        // Binary order is String order: the cuts cover the upper-case keys as well as the lower-case ones.
        assertThat(texts).isSortedAccordingTo(String::compareTo).doesNotHaveDuplicates();
        assertThat(texts.get(0)).startsWith("K");
        assertThat(texts.get(19).charAt(0)).isBetween('a', 'k');
        // In a case-insensitive collation K and k are one letter: one alphabet of 36.
        assertThat(KeySpace.Text.of("K000002", "k019999", false).alphabet()).hasSize(36);
        assertThat(KeySpace.of(MySqlKind.TEXT, "varchar(9)", "K000002", "k019999", Optional.of("utf8mb4_bin")))
                .hasValueSatisfying(ks -> assertThat(((KeySpace.Text) ks).alphabet()).hasSize(62));
        assertThat(KeySpace.of(MySqlKind.TEXT, "varchar(9)", "K000002", "k019999", Optional.of("utf8mb4_general_ci")))
                .hasValueSatisfying(ks -> assertThat(((KeySpace.Text) ks).alphabet()).hasSize(36));
    }

    @Test
    void keysThatDifferOnlyInCharactersOutsideTheAlphabetGiveTooFewCutsToUse() {
        assertThat(cuts(KeySpace.Text.of("a-", "a.", false), 100)).hasSizeLessThan(2);
        assertThat(cuts(KeySpace.Text.of("same", "same", false), 100)).hasSizeLessThan(2);
    }

    @Test
    void aPrefixEndingInsideAFourByteCharacterIsShortenedToKeepItWhole() {
        KeySpace.Text space = KeySpace.Text.of("x\uD83D\uDE00a", "x\uD83D\uDE01z", false);
        assertThat(space.prefix()).isEqualTo("x");
        assertThat(cuts(space, 4).stream().map(KeySpaceTest::text))
                .allSatisfy(t -> assertThat(t).startsWith("x").doesNotContain("\uD83D"));
    }

    @Test
    void keyTextNeverReachesTheSqlExceptAsHex() {
        List<String> literals = cuts(KeySpace.Text.of("it's\\a", "it's\\z", false), 5);
        assertThat(literals).allSatisfy(l -> assertThat(l).matches("_utf8mb4 X'[0-9a-f]+'"));
        assertThat(text(literals.get(0))).startsWith("it's\\");
    }

    @Test
    void binaryKeysAreCutBytewiseAfterTheirCommonPrefix() {
        byte[] min = HEX.parseHex("abcd00000000000000000000");
        byte[] max = HEX.parseHex("abcdffffffffffffffffffff");
        List<String> cuts = cuts(KeySpace.Bytes.of(min, max), 50);
        assertThat(cuts).hasSize(50).allSatisfy(c -> assertThat(c).matches("X'abcd[0-9a-f]{14}'"));
        assertThat(cuts).isSortedAccordingTo(String::compareTo);
    }

    @Test
    void numbersAreInterpolatedExactlyAndIntegersStayIntegers() {
        BigDecimal low = new BigDecimal("18446744073709531616");
        BigDecimal high = new BigDecimal("18446744073709551615");
        List<String> integral = cuts(new KeySpace.Numeric(low, high, true, false), 100);
        assertThat(integral).hasSize(100).allSatisfy(c -> assertThat(c).matches("[0-9]+"));
        assertThat(integral.stream().map(BigDecimal::new).toList()).isSorted()
                .allSatisfy(v -> assertThat(v).isBetween(low, high));

        List<String> decimals = cuts(new KeySpace.Numeric(new BigDecimal("0.01"), new BigDecimal("0.02"), false, false), 4);
        assertThat(decimals).hasSize(4).allSatisfy(c -> assertThat(c).startsWith("0.01"));

        List<String> doubles = cuts(new KeySpace.Numeric(new BigDecimal("-1E300"), new BigDecimal("1E300"), false, true), 3);
        assertThat(doubles).hasSize(3).allSatisfy(c -> assertThat(Double.parseDouble(c)).isFinite());

        // Past the double range (a float column cannot hold it, but the literal must never say "Infinity").
        List<String> beyond = cuts(new KeySpace.Numeric(new BigDecimal("-1E400"), new BigDecimal("1E400"), false, true), 10);
        assertThat(beyond).allSatisfy(c -> assertThat(c).doesNotContain("Infinity"));
    }

    @Test
    void aNarrowIntegerSpanGivesOnlyTheDistinctCutsItHas() {
        assertThat(cuts(new KeySpace.Numeric(BigDecimal.ZERO, BigDecimal.valueOf(3), true, false), 100))
                .hasSizeLessThanOrEqualTo(4).doesNotHaveDuplicates();
    }

    @Test
    void onlyKeysWhoseIndexHoldsTheWholeValueCanBeCut() {
        assertThat(KeySpace.of(MySqlKind.TEXT, "varchar(36)", "a", "z", Optional.empty())).isPresent();
        assertThat(KeySpace.of(MySqlKind.TEXT, "char(36)", "a", "z", Optional.empty())).isPresent();
        assertThat(KeySpace.of(MySqlKind.TEXT, "text", "a", "z", Optional.empty())).isEmpty();
        assertThat(KeySpace.of(MySqlKind.BYTES, "varbinary(16)", new byte[]{1}, new byte[]{2}, Optional.empty())).isPresent();
        assertThat(KeySpace.of(MySqlKind.BYTES, "blob", new byte[]{1}, new byte[]{2}, Optional.empty())).isEmpty();
        assertThat(KeySpace.of(MySqlKind.DATE, "date", "x", "y", Optional.empty())).isEmpty();
        assertThat(KeySpace.of(MySqlKind.TEXT, "varchar(3)", null, null, Optional.empty())).isEmpty();
        assertThat(KeySpace.of(MySqlKind.DECIMAL, "decimal(10,2) unsigned", BigDecimal.ONE, BigDecimal.TEN, Optional.empty())).isPresent();
    }
}
