package dev.dea.sql.mysql;

import dev.dea.sql.NamePatterns;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

import dev.dea.sql.mysql.MySqlLexer.Kind;
import dev.dea.sql.mysql.MySqlLexer.Token;

import static dev.dea.sql.mysql.MySqlGuard.reject;
import static dev.dea.sql.mysql.QueryShapeRules.isKeyword;
import static dev.dea.sql.mysql.QueryShapeRules.isPunct;

/**
 * Every name followed by a parenthesis is a call, wherever it stands and however it is
 * written ({@code f(x)}, {@code db.f(x)}, {@code `f`(x)}, {@code F /* c *}{@code / (x)}),
 * except where MySQL's grammar makes it something else: the keywords below, a CTE's or a
 * derived table's column list. Unqualified calls must be on the reviewed allow-list
 * ({@link BuiltInFunctions}); qualified ones are stored functions, allowed only in configured
 * schemas; the never-list wins over both.
 */
final class FunctionCalls {

    /**
     * Keywords the grammar puts before a parenthesis without calling anything, and which the
     * server never takes for a function name: MariaDB refuses {@code word(1)} even when a stored
     * function of that name exists (MySqlGuardIT proves it on the real server).
     */
    static final Set<String> SYNTAX_BEFORE_PARENTHESIS = Set.of(
            "in", "exists", "from", "join", "straight_join", "as", "on", "using", "where", "having", "and", "or",
            "xor", "not", "select", "union", "intersect", "except", "all", "any", "some", "distinct", "by", "over",
            "values", "row", "when", "then", "else", "case", "is", "like", "rlike", "regexp", "between", "div",
            "match", "partition", "group", "index", "key", "with", "leading", "trailing", "both", "interval",
            "default");

    /**
     * Non-reserved words that open a parenthesis only in one place of the grammar; anywhere
     * else MariaDB calls a stored function of that name, so they are exempt only in context:
     * {@code 'path' COLUMNS (} in JSON_TABLE, {@code MEMBER OF (}, {@code MATCH (...) AGAINST (},
     * {@code LATERAL (SELECT}.
     */
    static final Set<String> CONTEXTUAL_SYNTAX = Set.of("columns", "of", "against", "lateral");

    private final List<Token> tokens;
    private final Set<String> allowed;
    private final List<Pattern> deniedExtra;
    private final Set<String> allowedSchemas;
    private final boolean[] columnLists;
    private final SortedSet<String> called = new TreeSet<>();

    private FunctionCalls(List<Token> tokens, Set<String> allowed, List<Pattern> deniedExtra, Set<String> allowedSchemas) {
        this.tokens = tokens;
        this.allowed = allowed;
        this.deniedExtra = deniedExtra;
        this.allowedSchemas = allowedSchemas;
        this.columnLists = cteNamePositions(tokens);
    }

    /** Returns the functions called (lower case, {@code schema.name} for stored ones) or throws SQL_REJECTED. */
    static SortedSet<String> check(List<Token> tokens, Set<String> allowed, List<Pattern> deniedExtra,
                                   Set<String> allowedSchemas) {
        FunctionCalls calls = new FunctionCalls(tokens, allowed, deniedExtra, allowedSchemas);
        calls.run();
        return calls.called;
    }

    private void run() {
        for (int k = 1; k < tokens.size(); k++) {
            if (!tokens.get(k).isPunct('(')) {
                continue;
            }
            Token name = tokens.get(k - 1);
            if (!name.isIdentifier()) {
                continue;
            }
            boolean quoted = name.kind() == Kind.QUOTED_IDENT;
            if (!quoted && (SYNTAX_BEFORE_PARENTHESIS.contains(name.text()) || isContextualSyntax(k - 1))) {
                continue;
            }
            if (columnLists[k - 1] || isKeyword(tokens, k - 2, "as")) {
                continue;
            }
            if (isPunct(tokens, k - 2, '.') && k >= 3 && tokens.get(k - 3).isIdentifier()) {
                judgeStored(tokens.get(k - 3).text(), name.text());
            } else {
                judgeBuiltIn(name, quoted, name.end() != tokens.get(k).start());
            }
        }
    }

    private boolean isContextualSyntax(int at) {
        Token before = at > 0 ? tokens.get(at - 1) : null;
        return switch (tokens.get(at).text()) {
            case "columns" -> before != null && before.kind() == Kind.STRING;
            case "of" -> before != null && before.isKeyword("member");
            case "against" -> before != null && before.isPunct(')');
            case "lateral" -> isKeyword(tokens, at + 2, "select") || isKeyword(tokens, at + 2, "with");
            default -> false;
        };
    }

    private void judgeBuiltIn(Token token, boolean quoted, boolean gap) {
        String name = token.text();
        if (BuiltInFunctions.NEVER.contains(name) || isDeniedExtra(name)) {
            throw reject("denied_function", "calling " + name + "() is not allowed");
        }
        if (!allowed.contains(name)) {
            throw reject("denied_function", "calling " + name + "() is not allowed: only reviewed built-in functions "
                    + "may be called (see docs/sql-guard-mysql.md); stored functions must be schema-qualified");
        }
        // Backticks make any name an identifier, keywords included; a space only matters for non-keywords.
        if (quoted || (gap && !BuiltInFunctions.KEYWORD_CALLS.contains(name))) {
            throw reject("denied_function", "write " + name + "( with nothing between the name and the parenthesis and "
                    + "without backticks: written otherwise, MySQL may call a stored function of that name instead");
        }
        called.add(name);
    }

    private void judgeStored(String schema, String name) {
        String qualified = schema + "." + name;
        if (BuiltInFunctions.NEVER.contains(name) || isDeniedExtra(name) || isDeniedExtra(qualified)) {
            throw reject("denied_function", "calling " + qualified + "() is not allowed");
        }
        if (!allowedSchemas.contains(schema)) {
            throw reject("denied_function", "calling the stored function " + qualified + "() is not allowed: its "
                    + "schema is not in SQL_ALLOW_FUNCTION_SCHEMAS");
        }
        called.add(qualified);
    }

    private boolean isDeniedExtra(String name) {
        for (Pattern p : deniedExtra) {
            if (p.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Positions of CTE names ({@code WITH [RECURSIVE] name [(columns)] AS (...) [, ...]}),
     * whose column list is not a call.
     */
    static boolean[] cteNamePositions(List<Token> tokens) {
        boolean[] names = new boolean[tokens.size()];
        int[] closing = closingParentheses(tokens);
        for (int k = 0; k < tokens.size(); k++) {
            if (!tokens.get(k).isKeyword("with") || isKeyword(tokens, k + 1, "rollup")) {
                continue;
            }
            int j = k + 1;
            if (isKeyword(tokens, j, "recursive")) {
                j++;
            }
            while (j < tokens.size() && tokens.get(j).isIdentifier()) {
                int nameAt = j++;
                if (isPunct(tokens, j, '(')) {
                    j = closing[j] + 1;
                }
                if (!isKeyword(tokens, j, "as") || !isPunct(tokens, j + 1, '(')) {
                    break;
                }
                names[nameAt] = true;
                j = closing[j + 1] + 1;
                if (!isPunct(tokens, j, ',')) {
                    break;
                }
                j++;
            }
        }
        return names;
    }

    /**
     * For each opening parenthesis the index of its closing one (the token count when it has
     * none), in one pass, so that many WITH clauses cannot make the reading quadratic.
     */
    private static int[] closingParentheses(List<Token> tokens) {
        int[] closing = new int[tokens.size()];
        Arrays.fill(closing, tokens.size());
        int[] open = new int[tokens.size()];
        int depth = 0;
        for (int j = 0; j < tokens.size(); j++) {
            if (tokens.get(j).isPunct('(')) {
                open[depth++] = j;
            } else if (tokens.get(j).isPunct(')') && depth > 0) {
                closing[open[--depth]] = j;
            }
        }
        return closing;
    }

    static List<Pattern> patterns(Set<String> entries) {
        List<Pattern> patterns = new ArrayList<>();
        for (String entry : entries) {
            String e = entry == null ? "" : entry.strip().replace("`", "").toLowerCase(Locale.ROOT);
            if (!e.isEmpty()) {
                patterns.add(NamePatterns.glob(e));
            }
        }
        return patterns;
    }
}
