package dev.dea.mcp;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ToolArgumentsTest {
    private static ToolArguments args(Map<String, Object> values) {
        return new ToolArguments("run_sql", values, Set.of("sql", "preview_rows", "cache_keys"));
    }

    private static void rejects(Runnable call, String... messageParts) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.type()).isEqualTo(ErrorType.VALIDATION_ERROR);
            assertThat(e.getMessage()).contains(messageParts);
        });
    }

    @Test
    void rejectsUnknownArgumentsNamingTheAcceptedOnes() {
        rejects(() -> args(Map.of("query", "SELECT 1")), "query", "cache_keys, preview_rows, sql");
    }

    @Test
    void readsBooleansAndTheirFormSpellings() {
        assertThat(args(Map.of("sql", true)).optionalBoolean("sql")).contains(true);
        assertThat(args(Map.of("sql", " FALSE ")).optionalBoolean("sql")).contains(false);
        assertThat(args(Map.of("sql", "")).optionalBoolean("sql")).isEmpty();
        assertThat(args(Map.of()).optionalBoolean("sql")).isEmpty();
        rejects(() -> args(Map.of("sql", "yes")).optionalBoolean("sql"), "'sql'", "must be a boolean");
        rejects(() -> args(Map.of("sql", 1)).optionalBoolean("sql"), "must be a boolean, got a number");
    }

    @Test
    void readsRequiredAndOptionalStrings() {
        assertThat(args(Map.of("sql", "SELECT 1")).requiredString("sql", 100)).isEqualTo("SELECT 1");
        assertThat(args(Map.of()).optionalString("sql", 100)).isEmpty();
        rejects(() -> args(Map.of()).requiredString("sql", 100), "'sql'", "required");
        rejects(() -> args(Map.of("sql", 5)).requiredString("sql", 100), "must be a string, got a number");
        rejects(() -> args(Map.of("sql", "  ")).requiredString("sql", 100), "blank");
        assertThat(args(Map.of("sql", "")).optionalString("sql", 100)).isEmpty();
        rejects(() -> args(Map.of("sql", "x".repeat(11))).requiredString("sql", 10), "11 characters", "limit is 10");
    }

    @Test
    void acceptsIntegersAsNumbersOrNumericStringsWithinBounds() {
        assertThat(args(Map.of()).optionalInt("preview_rows", 0, 50, 10)).isEqualTo(10);
        assertThat(args(Map.of("preview_rows", 7)).optionalInt("preview_rows", 0, 50, 10)).isEqualTo(7);
        assertThat(args(Map.of("preview_rows", 7.0)).optionalInt("preview_rows", 0, 50, 10)).isEqualTo(7);
        assertThat(args(Map.of("preview_rows", " 12 ")).optionalInt("preview_rows", 0, 50, 10)).isEqualTo(12);
        rejects(() -> args(Map.of("preview_rows", 51)).optionalInt("preview_rows", 0, 50, 10), "between 0 and 50, got 51");
        rejects(() -> args(Map.of("preview_rows", 2.5)).optionalInt("preview_rows", 0, 50, 10), "must be an integer");
        rejects(() -> args(Map.of("preview_rows", "ten")).optionalInt("preview_rows", 0, 50, 10), "must be an integer, got a string");
    }

    @Test
    void readsCacheKeysInTheCallersOrderAlsoFromJsonText() {
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("b", "k2");
        keys.put("a", "k1");
        assertThat(args(Map.of("cache_keys", keys)).requiredNameToKey("cache_keys").keySet()).containsExactly("b", "a");
        assertThat(args(Map.of("cache_keys", "{\"prev\": \"k\"}")).requiredNameToKey("cache_keys")).isEqualTo(Map.of("prev", "k"));
    }

    @Test
    void rejectsMalformedCacheKeys() {
        rejects(() -> args(Map.of()).requiredNameToKey("cache_keys"), "required");
        rejects(() -> args(Map.of("cache_keys", Map.of())).requiredNameToKey("cache_keys"), "at least one", "run_python");
        rejects(() -> args(Map.of("cache_keys", List.of("k"))).requiredNameToKey("cache_keys"), "got an array");
        rejects(() -> args(Map.of("cache_keys", "not json")).requiredNameToKey("cache_keys"), "JSON object");
        rejects(() -> args(Map.of("cache_keys", Map.of("bad name", "k"))).requiredNameToKey("cache_keys"), "'bad name'");
        rejects(() -> args(Map.of("cache_keys", Map.of("x", 3))).requiredNameToKey("cache_keys"), "cache_keys['x']", "a number");
        Map<String, Object> many = new LinkedHashMap<>();
        IntStream.range(0, 33).forEach(i -> many.put("f" + i, "k"));
        rejects(() -> args(Map.of("cache_keys", many)).requiredNameToKey("cache_keys"), "at most 32");
    }
}
