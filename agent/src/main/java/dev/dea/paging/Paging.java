package dev.dea.paging;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The paging rules every listing shares ({@code GET /executions}, {@code /frames}, {@code /jobs}):
 * a bounded {@code limit}, and an opaque {@code cursor} that names the position after which the
 * next page starts by the sort key of the last entry given out, so it stays valid while entries
 * come and go, and across restarts. Parameter problems are collected, then reported at once.
 */
public final class Paging {
    public static final String BAD_CURSOR = "cursor is not one this agent gave out (use next_cursor of the previous page)";

    private Paging() {
    }

    /** {@code limit} as sent (null: {@code defaultLimit}); outside 1..{@code max} it adds a problem. */
    public static int limit(String text, int defaultLimit, int max, List<String> problems) {
        if (text == null) {
            return defaultLimit;
        }
        int size;
        try {
            size = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (size < 1 || size > max) {
            problems.add("limit must be a whole number from 1 to " + max + "; got '" + abbreviate(text) + "'");
        }
        return size;
    }

    /** The cursor naming a position by its sort key; only the last part may contain '|'. */
    public static String cursor(String... parts) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(String.join("|", parts).getBytes(StandardCharsets.UTF_8));
    }

    /** The {@code count} parts of a cursor {@link #cursor} made; empty for anything else. */
    public static Optional<List<String>> parts(String cursor, int count) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", count);
            return parts.length == count ? Optional.of(List.of(parts)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** One VALIDATION_ERROR naming every problem, with the list in {@code problems}; nothing when there is none. */
    public static void check(List<String> problems) {
        if (!problems.isEmpty()) {
            throw new AgentException(ErrorType.VALIDATION_ERROR, String.join("; ", problems),
                    Map.of("problems", List.copyOf(problems)), null);
        }
    }

    /** A caller's value in a message, cut so a long one cannot flood the answer or the log. */
    public static String abbreviate(String value) {
        return value.length() > 64 ? value.substring(0, 64) + "..." : value;
    }
}
