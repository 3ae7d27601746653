package dev.dea.sql;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Remembers what the full check found for statements that PostgreSQL reads as the same
 * tokens apart from the values of their constants, so that
 * {@code SELECT abalance FROM pgbench_accounts WHERE aid = 42} and {@code ... aid = 43} cost
 * one JSqlParser parse between them. JSqlParser's parse and the tree scan were about half the
 * guard's cost per request (bench (b)).
 *
 * <p>Why this is sound: every rule of the full check is about what PostgreSQL executes, and
 * what it executes is its own token stream; the key is that stream as {@link PgLexer} reads
 * it (PostgreSQL's scanner, not JSqlParser's), with every identifier, keyword, operator and
 * punctuation mark verbatim. Only constants are reduced to their kind, and only plain ones:
 * unsigned decimal numbers of up to 18 digits each side of the point (any parser reads
 * them the same way) and {@code '...'} strings without backslashes. No rule looks
 * inside a constant (functions and relations are names), so two texts with the same key
 * get the same verdict. Comments and whitespace are not in the key because PostgreSQL
 * ignores them, and texts with comments are not remembered at all (see {@link #keyOf}); the
 * driver's split and the lexical rules still run on every text. Only
 * accepted statements are remembered: a refusal always takes the full path and names its
 * own rule.
 */
final class VerdictCache {
    /** Longer statements are rarely repeated with only their constants changed; the bound also caps the key size. */
    static final int MAX_CACHED_SQL_CHARS = 4_096;
    static final int DEFAULT_CAPACITY = 1_024;
    /** With {@link #DEFAULT_CAPACITY}, at most 8 Mi characters of keys are held, whatever callers send. */
    static final int MAX_KEY_CHARS = 8_192;

    /** What an accepted statement's full check found; the text itself is not kept. */
    record Verdict(Set<String> tables, Set<String> functions) {
        Verdict {
            tables = Set.copyOf(requireNonNull(tables, "tables"));
            functions = Set.copyOf(requireNonNull(functions, "functions"));
        }
    }

    private static final Pattern PLAIN_NUMBER = Pattern.compile("[0-9]{1,18}(\\.[0-9]{1,18})?");

    private final Map<String, Verdict> verdicts;

    VerdictCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.verdicts = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Verdict> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The key of {@code tokens}, or empty when the statement is not worth remembering. */
    static Optional<String> keyOf(String sql, List<PgLexer.Token> tokens) {
        // Comments are left out altogether: PostgreSQL nests block comments and JSqlParser does
        // not, so a text with comments could get a different verdict than its commentless twin,
        // and a verdict must never depend on what ran before.
        if (sql.length() > MAX_CACHED_SQL_CHARS || sql.contains("--") || sql.contains("/*")) {
            return Optional.empty();
        }
        StringBuilder key = new StringBuilder(sql.length() + 4 * tokens.size());
        for (PgLexer.Token token : tokens) {
            key.append((char) ('A' + token.kind().ordinal()));
            if (isPlainConstant(token)) {
                continue;
            }
            // Length-prefixed, so that no two token streams share a key.
            key.append(token.text().length()).append(':').append(token.text());
        }
        return key.length() <= MAX_KEY_CHARS ? Optional.of(key.toString()) : Optional.empty();
    }

    static boolean isPlainConstant(PgLexer.Token token) {
        String text = token.text();
        return switch (token.kind()) {
            case NUMBER -> PLAIN_NUMBER.matcher(text).matches();
            case STRING -> text.length() >= 2 && text.charAt(0) == '\'' && text.indexOf('\\') < 0;
            default -> false;
        };
    }

    Optional<Verdict> find(String key) {
        synchronized (verdicts) {
            return Optional.ofNullable(verdicts.get(key));
        }
    }

    void remember(String key, Verdict verdict) {
        requireNonNull(verdict, "verdict");
        synchronized (verdicts) {
            verdicts.put(requireNonNull(key, "key"), verdict);
        }
    }

    int size() {
        synchronized (verdicts) {
            return verdicts.size();
        }
    }
}
