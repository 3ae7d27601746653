package dev.dea.schema;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Resolves a caller's table name ({@code film}, {@code public.film}, {@code "My Table"},
 * {@code public."film"}, MySQL's {@code db.`film`}) against the introspected tables. Matching is tiered so that the most
 * literal reading wins: the name exactly as written, then PostgreSQL's folding of unquoted
 * identifiers to lower case, then (unquoted parts only) a case-insensitive match, which is how
 * an LLM that saw {@code Album} in prose usually means it. Quoted parts only ever match exactly.
 */
final class TableNameResolver {
    private static final int MAX_ECHO = 200;
    private static final int MAX_SUGGESTIONS = 5;

    private TableNameResolver() {
    }

    record Part(String text, boolean quoted) {
    }

    static TableInfo resolve(String raw, List<TableInfo> tables, List<String> searchPath) {
        List<Part> parts = parse(raw);
        Part schemaPart = parts.size() == 2 ? parts.get(0) : null;
        Part tablePart = parts.get(parts.size() - 1);
        List<String> path = searchPath.isEmpty() ? List.of("public") : searchPath;
        for (int tier = 0; tier <= 2; tier++) {
            List<TableInfo> matches = new ArrayList<>();
            for (TableInfo t : tables) {
                int s = schemaPart == null ? 0 : score(schemaPart, t.schema());
                int n = score(tablePart, t.name());
                if (s >= 0 && n >= 0 && Math.max(s, n) <= tier) {
                    matches.add(t);
                }
            }
            if (!matches.isEmpty()) {
                return pick(raw, matches, schemaPart == null ? path : List.of());
            }
        }
        throw notFound(raw, tablePart, tables);
    }

    private static TableInfo pick(String raw, List<TableInfo> matches, List<String> path) {
        // The first schema on the search_path that has the table wins, as it would in SQL.
        for (String schema : path) {
            List<TableInfo> inSchema = matches.stream().filter(t -> t.schema().equals(schema)).toList();
            if (inSchema.size() == 1) {
                return inSchema.get(0);
            }
            if (inSchema.size() > 1) {
                throw ambiguous(raw, inSchema);
            }
        }
        if (matches.size() == 1) {
            return matches.get(0);
        }
        throw ambiguous(raw, matches);
    }

    /** 0 exact, 1 PostgreSQL's lower-case folding, 2 case-insensitive, -1 no match. */
    private static int score(Part part, String actual) {
        if (actual.equals(part.text())) {
            return 0;
        }
        if (part.quoted()) {
            return -1;
        }
        if (actual.equals(part.text().toLowerCase(Locale.ROOT))) {
            return 1;
        }
        return actual.equalsIgnoreCase(part.text()) ? 2 : -1;
    }

    /** Splits on dots outside double quotes; {@code ""} inside quotes is a literal quote. */
    static List<Part> parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw AgentException.validation("A table name is required");
        }
        List<Part> parts = new ArrayList<>();
        String s = raw.strip();
        int i = 0;
        while (true) {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            StringBuilder sb = new StringBuilder();
            // Backticks are MySQL's quotes; in PostgreSQL they are not identifier characters at all.
            char quote = i < s.length() && (s.charAt(i) == '"' || s.charAt(i) == '`') ? s.charAt(i) : 0;
            boolean quoted = quote != 0;
            if (quoted) {
                i++;
                while (true) {
                    if (i >= s.length()) {
                        throw invalid(raw, "unbalanced double quote");
                    }
                    char ch = s.charAt(i++);
                    if (ch == quote) {
                        if (i < s.length() && s.charAt(i) == quote) {
                            sb.append(quote);
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        sb.append(ch);
                    }
                }
                while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
                if (i < s.length() && s.charAt(i) != '.') {
                    throw invalid(raw, "unexpected text after a quoted identifier");
                }
            } else {
                while (i < s.length() && s.charAt(i) != '.') {
                    if (s.charAt(i) == '"' || s.charAt(i) == '`') {
                        throw invalid(raw, "a quote inside an unquoted identifier");
                    }
                    sb.append(s.charAt(i++));
                }
            }
            String text = quoted ? sb.toString() : sb.toString().strip();
            if (text.isEmpty()) {
                throw invalid(raw, "empty identifier");
            }
            parts.add(new Part(text, quoted));
            if (i >= s.length()) {
                break;
            }
            i++; // the dot
        }
        if (parts.size() > 2) {
            throw invalid(raw, "expected table or schema.table");
        }
        return parts;
    }

    private static AgentException invalid(String raw, String why) {
        return AgentException.validation("Invalid table name '" + echo(raw) + "': " + why);
    }

    private static AgentException ambiguous(String raw, List<TableInfo> candidates) {
        List<String> names = candidates.stream().map(TableInfo::qualifiedName).sorted().toList();
        return new AgentException(ErrorType.VALIDATION_ERROR, "Table name '" + echo(raw)
                + "' is ambiguous; qualify it with its schema: " + String.join(", ", names),
                Map.of("candidates", names), null);
    }

    private static AgentException notFound(String raw, Part tablePart, List<TableInfo> tables) {
        String wanted = tablePart.text().toLowerCase(Locale.ROOT);
        List<String> suggestions = tables.stream()
                .filter(t -> {
                    String name = t.name().toLowerCase(Locale.ROOT);
                    boolean overlaps = Math.min(name.length(), wanted.length()) >= 3
                            && (name.contains(wanted) || wanted.contains(name));
                    return overlaps || editDistance(name, wanted) <= 2;
                })
                .sorted(Comparator.comparingInt((TableInfo t) -> editDistance(t.name().toLowerCase(Locale.ROOT), wanted))
                        .thenComparing(TableInfo::qualifiedName))
                .limit(MAX_SUGGESTIONS)
                .map(TableInfo::qualifiedName)
                .toList();
        String message = "Table '" + echo(raw) + "' does not exist or is not visible to the agent's database role"
                + (suggestions.isEmpty() ? "" : "; did you mean: " + String.join(", ", suggestions) + "?");
        return new AgentException(ErrorType.NOT_FOUND, message,
                suggestions.isEmpty() ? Map.of() : Map.of("suggestions", suggestions), null);
    }

    private static String echo(String raw) {
        String s = raw == null ? "" : raw.strip();
        return s.length() <= MAX_ECHO ? s : s.substring(0, MAX_ECHO) + "…";
    }

    static int editDistance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 2) {
            return Integer.MAX_VALUE; // only near misses are suggestions; skip the quadratic work
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
