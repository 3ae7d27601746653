package dev.dea.sql;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** PostgreSQL identifier semantics for names as JSqlParser hands them over (quotes kept). */
final class PgNames {

    /** PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated. */
    private static final int MAX_IDENTIFIER_BYTES = 63;

    private PgNames() {
    }

    /**
     * The name PostgreSQL resolves: quoted parts unescaped and exact, unquoted parts
     * lower-cased. Kept case-sensitive because a CTE named {@code "PG_AUTHID"} does not
     * shadow {@code pg_authid}.
     */
    static String fold(String part) {
        if (part == null) {
            return null;
        }
        String p = part.strip();
        if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"")) {
            return truncate(p.substring(1, p.length() - 1).replace("\"\"", "\""));
        }
        return truncate(p.toLowerCase(Locale.ROOT));
    }

    /**
     * The form deny-lists compare: folded, then lower-cased even when quoted, so
     * {@code "PG_SLEEP"} is still caught. Matching more than PostgreSQL would is the safe side.
     */
    static String key(String part) {
        String folded = fold(part);
        return folded == null ? null : folded.toLowerCase(Locale.ROOT);
    }

    /** Splits {@code a."b.c".d} into its parts, respecting double quotes. */
    static List<String> splitQualified(String name) {
        List<String> parts = new ArrayList<>();
        if (name == null || name.isBlank()) {
            return parts;
        }
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                current.append(c);
            } else if (c == '.' && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    /** Cuts to at most 63 UTF-8 bytes on a character boundary, as PostgreSQL does. */
    static String truncate(String identifier) {
        if (identifier.length() * 3 <= MAX_IDENTIFIER_BYTES
                || identifier.getBytes(StandardCharsets.UTF_8).length <= MAX_IDENTIFIER_BYTES) {
            return identifier;
        }
        int bytes = 0;
        int end = 0;
        while (end < identifier.length()) {
            int cp = identifier.codePointAt(end);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > MAX_IDENTIFIER_BYTES) {
                break;
            }
            bytes += size;
            end += Character.charCount(cp);
        }
        return identifier.substring(0, end);
    }
}
