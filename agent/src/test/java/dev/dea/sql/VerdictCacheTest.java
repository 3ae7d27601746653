package dev.dea.sql;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class VerdictCacheTest {

    private static Optional<String> key(String sql) {
        PgLexer.Result lexed = PgLexer.lex(sql);
        assertThat(lexed.problem()).as(sql).isNull();
        return VerdictCache.keyOf(sql, lexed.tokens());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "SELECT abalance FROM a WHERE aid = 1 | SELECT abalance FROM a WHERE aid = 987654",
            "SELECT * FROM t WHERE x = 1.5 | select  *   from T where X=22.25",
            "SELECT * FROM t WHERE s = 'a' | SELECT * FROM t WHERE s = 'it''s; DROP TABLE t'",
            "SELECT * FROM t WHERE s = '' | SELECT * FROM t WHERE s = 'pg_sleep(1)'",
    })
    void givesTheSameKeyWhenOnlyPlainConstantsDiffer(String a, String b) {
        assertThat(key(a)).isPresent().isEqualTo(key(b));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "SELECT a FROM t WHERE id = 1 | SELECT a FROM t WHERE id < 1",
            "SELECT a FROM t | SELECT a FROM u",
            "SELECT a FROM t | SELECT \"A\" FROM t",
            "SELECT a FROM t WHERE id = 1 | SELECT a FROM t WHERE id = '1'",
            "SELECT a FROM t WHERE id = $1 | SELECT a FROM t WHERE id = $2",
            "SELECT lower(a) FROM t | SELECT upper(a) FROM t",
            "SELECT a FROM t | SELECT a FROM t FOR UPDATE",
            "SELECT ab FROM t | SELECT a b FROM t",
    })
    void keepsEveryNameOperatorAndKeywordInTheKey(String a, String b) {
        assertThat(key(a)).isPresent();
        assertThat(key(b)).isPresent().isNotEqualTo(key(a));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "SELECT E'a' | SELECT E'b'",
            "SELECT B'101' | SELECT B'111'",
            "SELECT $$a$$ | SELECT $$b$$",
            "SELECT 1e5 | SELECT 2e5",
            "SELECT 1234567890123456789 | SELECT 1234567890123456788",
            "SELECT X'1F' | SELECT X'2F'",
    })
    void keepsConstantsVerbatimUnlessTheyArePlain(String a, String b) {
        assertThat(key(a)).isPresent();
        assertThat(key(b)).isPresent().isNotEqualTo(key(a));
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 1 -- note", "SELECT /* note */ 1", "SELECT 1 /* /* nested */ */"})
    void remembersNothingForTextWithComments(String sql) {
        assertThat(key(sql)).isEmpty();
    }

    @Test
    void remembersNothingForLongText() {
        String sql = "SELECT " + "1 + ".repeat(VerdictCache.MAX_CACHED_SQL_CHARS / 4) + "1";
        assertThat(key(sql)).isEmpty();
    }

    @Test
    void remembersNothingWhoseKeyWouldBeLong() {
        // Under the text limit, but one token per character makes the key several times longer.
        String sql = "SELECT " + "1+".repeat(2_000) + "1";
        assertThat(sql.length()).isLessThan(VerdictCache.MAX_CACHED_SQL_CHARS);
        assertThat(key(sql)).isEmpty();
    }

    @Test
    void forgetsTheLeastRecentlyUsedVerdictBeyondItsCapacity() {
        VerdictCache cache = new VerdictCache(2);
        VerdictCache.Verdict verdict = new VerdictCache.Verdict(Set.of("t"), Set.of());
        cache.remember("a", verdict);
        cache.remember("b", verdict);
        assertThat(cache.find("a")).contains(verdict);
        cache.remember("c", verdict);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.find("b")).isEmpty();
        assertThat(cache.find("a")).isPresent();
        assertThat(cache.find("c")).isPresent();
    }
}
