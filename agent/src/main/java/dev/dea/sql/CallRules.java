package dev.dea.sql;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import dev.dea.sql.PgLexer.Kind;
import dev.dea.sql.PgLexer.Token;

import static dev.dea.sql.SqlGuard.reject;

/**
 * Finds every place PostgreSQL would run a function, on its own tokens, and holds each to
 * the {@link CallPolicy}: {@code f(x)}, {@code schema.f(x)} and quoted names, field
 * selection {@code (x).f} and {@code alias.f} (PostgreSQL reads both as {@code f(x)} when
 * f is no column), operators, keywords that stand for operators (LIKE, IN, BETWEEN, ...),
 * and casts. Working on tokens rather than on JSqlParser's tree means a call is seen
 * wherever it stands (FROM, LATERAL, ORDER BY, window and FILTER clauses, defaults of
 * nothing) and even in statements JSqlParser cannot parse. A name before a parenthesis is
 * exempt only where PostgreSQL's grammar makes it something else: a keyword of the syntax,
 * an alias or CTE column list, a type modifier.
 */
final class CallRules {

    static final String RULE_FUNCTION = "denied_function";
    static final String RULE_OPERATOR = "denied_operator";
    static final String RULE_CAST = "denied_cast";

    /**
     * Unreserved keywords that PostgreSQL's grammar puts before a parenthesis without calling
     * anything, each with the tokens it follows there ({@code ")"} and {@code "'"} stand for a
     * closing parenthesis and a string constant). Elsewhere they are ordinary function names,
     * and checked as such.
     */
    private static final Map<String, Set<String>> SYNTAX_BEFORE_PARENTHESIS = Map.ofEntries(
            Map.entry("by", Set.of("group", "order", "partition")),
            Map.entry("over", Set.of(")")),
            Map.entry("filter", Set.of(")")),
            Map.entry("materialized", Set.of("as", "not")),
            Map.entry("sets", Set.of("grouping")),
            Map.entry("repeatable", Set.of(")")),
            Map.entry("columns", Set.of(")", "'")),
            Map.entry("zone", Set.of("time")),
            Map.entry("first", Set.of("fetch")),
            Map.entry("next", Set.of("fetch")),
            Map.entry("escape", Set.of(")", "'")),
            Map.entry("varying", Set.of("character", "char", "bit", "national")),
            Map.entry("second", Set.of("interval", "'", "to")),
            Map.entry("without", Set.of(")")));

    /** Grouping syntax, only inside GROUP BY; elsewhere these are ordinary function names. */
    private static final Set<String> GROUPING_SYNTAX = Set.of("cube", "rollup");

    /** What ends a GROUP BY clause at its own nesting depth. */
    private static final Set<String> AFTER_GROUP_BY = Set.of(
            "having", "window", "order", "limit", "offset", "fetch", "union", "intersect", "except", "for");

    /** Keywords that make PostgreSQL look up an operator by name although none is written. */
    private static final Map<String, List<String>> IMPLICIT_OPERATORS = Map.of(
            "like", List.of("~~", "!~~"),
            "ilike", List.of("~~*", "!~~*"),
            "similar", List.of("~"),
            "in", List.of("=", "<>"),
            "between", List.of(">=", "<="),
            "case", List.of("="),
            "nullif", List.of("="),
            "distinct", List.of("="));

    private final List<Token> tokens;
    private final CallPolicy policy;
    private final boolean[] cteNames;
    private final SortedSet<String> called = new TreeSet<>();

    private CallRules(List<Token> tokens, CallPolicy policy) {
        this.tokens = tokens;
        this.policy = policy;
        this.cteNames = WithClauses.cteNamePositions(tokens);
    }

    /** Returns the functions the statement calls (lower case, unqualified) or throws SQL_REJECTED. */
    static SortedSet<String> check(List<Token> tokens, CallPolicy policy) {
        CallRules rules = new CallRules(tokens, policy);
        rules.run();
        return rules.called;
    }

    private void run() {
        int depth = 0;
        int groupByDepth = -1;
        for (int k = 0; k < tokens.size(); k++) {
            Token t = tokens.get(k);
            if (t.isPunct('(')) {
                depth++;
            } else if (t.isPunct(')')) {
                depth--;
                if (groupByDepth > depth) {
                    groupByDepth = -1;
                }
            }
            if (t.isKeyword("group") && isKeyword(k + 1, "by")) {
                groupByDepth = depth;
            } else if (groupByDepth == depth && t.kind() == Kind.IDENT && AFTER_GROUP_BY.contains(t.text())) {
                groupByDepth = -1;
            }
            switch (t.kind()) {
                case OPERATOR -> checkOperator(t.text());
                case IDENT, QUOTED_IDENT -> checkName(k, groupByDepth >= 0);
                case PUNCT -> {
                    if (t.text().equals("::")) {
                        checkCastTarget(k + 1);
                    }
                }
                default -> {
                }
            }
        }
    }

    private void checkName(int k, boolean inGroupBy) {
        Token t = tokens.get(k);
        boolean quoted = t.kind() == Kind.QUOTED_IDENT;
        if (!quoted) {
            for (String op : IMPLICIT_OPERATORS.getOrDefault(t.text(), List.of())) {
                checkOperator(op);
            }
            if ((t.text().equals("cast") || t.text().equals("treat")) && isPunct(k + 1, '(')) {
                checkCastClause(k + 1);
            }
        }
        if (isPunct(k + 1, '(')) {
            checkCall(k, quoted, inGroupBy);
            return;
        }
        if (isPunct(k - 1, '.') && policy.deniesFieldCall(t.text())) {
            throw reject(RULE_FUNCTION, "x." + t.text() + " calls " + t.text() + "(x) when " + t.text()
                    + " is not a column, and " + t.text() + "() is not allowed; if it is a column, "
                    + "select it without the qualifier or rename it in a subquery");
        }
        if (k + 1 < tokens.size() && tokens.get(k + 1).kind() == Kind.STRING && !isKeyword(k - 1, "as")) {
            // type 'literal', e.g. date '2024-01-01' or schema.type '...' (qualified too), runs
            // the type's input function
            checkConversion(t.text());
        }
    }

    private void checkCall(int k, boolean quoted, boolean inGroupBy) {
        String name = tokens.get(k).text();
        if (cteNames[k]) {
            return;
        }
        if (k > 0) {
            Token prev = tokens.get(k - 1);
            if (prev.isPunct('.')) {
                checkQualifiedCall(k);
                return;
            }
            if (prev.text().equals("::") && prev.kind() == Kind.PUNCT) {
                return; // a type modifier, numeric(10,2); the cast itself is checked at the ::
            }
            if (prev.isKeyword("as") || prev.isPunct(')') || prev.kind() == Kind.QUOTED_IDENT
                    || (prev.kind() == Kind.IDENT && policy.keywordCategory(prev.text()) == null)) {
                return; // an alias's column list, FROM t AS x(a, b), or CAST(... AS type(n))
            }
            if (prev.isKeyword("tablesample")) {
                if (quoted || !CallPolicy.SAMPLING_METHODS.contains(name)) {
                    throw reject(RULE_FUNCTION, "the sampling method " + name + " is not allowed; use BERNOULLI or SYSTEM");
                }
                return;
            }
        }
        if (!quoted) {
            Character category = policy.keywordCategory(name);
            if (category != null && (category == 'R' || category == 'C')) {
                return; // syntax such as IN (...), EXISTS (...), COALESCE(...), VALUES (...)
            }
            if (category != null && category == 'T' && !policy.isVisibleFunction(name)) {
                return; // JOIN (...), LIKE (...), OVERLAPS (...)
            }
            if (category != null && category == 'U'
                    && (followsItsSyntax(k, name) || (inGroupBy && GROUPING_SYNTAX.contains(name)))) {
                return;
            }
        }
        if (!policy.allowsUnqualified(name)) {
            throw reject(RULE_FUNCTION, "calling " + name + "() is not allowed: functions are denied by default, "
                    + "and " + name + " is not on the guard's allow-list (docs/sql-guard.md)");
        }
        called.add(name.toLowerCase());
    }

    /** {@code schema.f(...)}, or a qualified type's modifier after {@code ::}. */
    private void checkQualifiedCall(int k) {
        String name = tokens.get(k).text();
        int start = k;
        while (start >= 2 && tokens.get(start - 1).isPunct('.') && tokens.get(start - 2).isIdentifier()) {
            start -= 2;
        }
        if (start == k) {
            // "(expr).f(" is not PostgreSQL syntax; whatever it is, it is no allowed call.
            throw reject(RULE_FUNCTION, "calling ." + name + "() is not allowed");
        }
        Token before = start > 0 ? tokens.get(start - 1) : null;
        if (before != null && before.kind() == Kind.PUNCT && before.text().equals("::")) {
            return;
        }
        String schema = tokens.get(k - 2).text();
        if (!policy.allows(schema, name)) {
            throw reject(RULE_FUNCTION, "calling " + schema + "." + name + "() is not allowed: functions are denied "
                    + "by default, and " + schema + "." + name + " is not on the guard's allow-list (docs/sql-guard.md)");
        }
        called.add(name.toLowerCase());
    }

    private void checkOperator(String raw) {
        String op = raw.equals("!=") ? "<>" : raw;
        if (op.equals("=>")) {
            return; // named argument notation, f(a => 1)
        }
        if (!policy.allowsOperator(op)) {
            throw reject(RULE_OPERATOR, "the operator " + op + " is not allowed: operators are functions, and every "
                    + "operator named " + op + " on the search path must run an allowed function (docs/sql-guard.md)");
        }
    }

    /** CAST(x AS type) and TREAT(x AS type): the type follows the last AS at the parenthesis' own depth. */
    private void checkCastClause(int open) {
        int depth = 0;
        int lastAs = -1;
        for (int j = open; j < tokens.size(); j++) {
            Token t = tokens.get(j);
            if (t.isPunct('(')) {
                depth++;
            } else if (t.isPunct(')')) {
                depth--;
                if (depth == 0) {
                    break;
                }
            } else if (depth == 1 && t.isKeyword("as")) {
                lastAs = j;
            }
        }
        if (lastAs >= 0) {
            checkCastTarget(lastAs + 1);
        }
    }

    /** The type named from {@code j} on (possibly qualified): the last part is the type's name. */
    private void checkCastTarget(int j) {
        int last = -1;
        while (j < tokens.size() && tokens.get(j).isIdentifier()) {
            last = j;
            if (isPunct(j + 1, '.')) {
                j += 2;
            } else {
                break;
            }
        }
        if (last >= 0) {
            checkConversion(tokens.get(last).text());
        }
    }

    private void checkConversion(String type) {
        String function = policy.deniedConversion(type);
        if (function != null) {
            throw reject(RULE_CAST, "converting a value to " + type + " runs " + function
                    + "(), which is not allowed (docs/sql-guard.md)");
        }
    }

    private boolean followsItsSyntax(int k, String name) {
        Set<String> after = SYNTAX_BEFORE_PARENTHESIS.get(name);
        if (after == null || k == 0) {
            return false;
        }
        Token prev = tokens.get(k - 1);
        String key = prev.isPunct(')') ? ")" : prev.kind() == Kind.STRING ? "'" : prev.kind() == Kind.IDENT ? prev.text() : null;
        return key != null && after.contains(key);
    }

    private boolean isPunct(int index, char c) {
        return index >= 0 && index < tokens.size() && tokens.get(index).isPunct(c);
    }

    private boolean isKeyword(int index, String keyword) {
        return index >= 0 && index < tokens.size() && tokens.get(index).isKeyword(keyword);
    }
}
