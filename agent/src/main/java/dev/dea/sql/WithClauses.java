package dev.dea.sql;

import java.util.List;

import dev.dea.sql.PgLexer.Token;

/**
 * Finds CTE names followed by a column list ({@code WITH t(a, b) AS (...)}), which look like
 * calls to a token reader. Only the exact grammar counts: WITH [RECURSIVE], then items
 * {@code name [(columns)] AS [NOT] [MATERIALIZED] (query) [SEARCH ...|CYCLE ...]} separated
 * by commas. Anything else ends the list, so a misread never exempts a real call, it only
 * leaves a CTE name to be checked as one (and refused).
 */
final class WithClauses {

    private WithClauses() {
    }

    static boolean[] cteNamePositions(List<Token> tokens) {
        boolean[] marks = new boolean[tokens.size()];
        for (int k = 0; k < tokens.size(); k++) {
            if (tokens.get(k).isKeyword("with")) {
                markList(tokens, k + 1, marks);
            }
        }
        return marks;
    }

    private static void markList(List<Token> t, int j, boolean[] marks) {
        if (j < t.size() && t.get(j).isKeyword("recursive")) {
            j++;
        }
        while (j < t.size() && t.get(j).isIdentifier()) {
            int name = j++;
            if (j < t.size() && t.get(j).isPunct('(')) {
                int close = matching(t, j);
                if (close < 0) {
                    return;
                }
                if (isAsQuery(t, close + 1)) {
                    marks[name] = true;
                }
                j = close + 1;
            }
            if (!(j < t.size() && t.get(j).isKeyword("as"))) {
                return;
            }
            j++;
            if (j < t.size() && t.get(j).isKeyword("not")) {
                j++;
            }
            if (j < t.size() && t.get(j).isKeyword("materialized")) {
                j++;
            }
            if (!(j < t.size() && t.get(j).isPunct('('))) {
                return;
            }
            int close = matching(t, j);
            if (close < 0) {
                return;
            }
            j = skipSearchAndCycle(t, close + 1);
            if (j < t.size() && t.get(j).isPunct(',')) {
                j++;
            } else {
                return;
            }
        }
    }

    /** {@code AS [NOT] [MATERIALIZED] (} follows. */
    private static boolean isAsQuery(List<Token> t, int j) {
        if (!(j < t.size() && t.get(j).isKeyword("as"))) {
            return false;
        }
        j++;
        if (j < t.size() && t.get(j).isKeyword("not")) {
            j++;
        }
        if (j < t.size() && t.get(j).isKeyword("materialized")) {
            j++;
        }
        return j < t.size() && t.get(j).isPunct('(');
    }

    // SEARCH {DEPTH|BREADTH} FIRST BY cols SET col / CYCLE cols SET col [TO v DEFAULT v] USING col
    private static int skipSearchAndCycle(List<Token> t, int j) {
        while (j < t.size() && (t.get(j).isKeyword("search") || t.get(j).isKeyword("cycle"))) {
            j++;
            while (j < t.size() && !t.get(j).isPunct(',') && !t.get(j).isPunct('(') && !t.get(j).isPunct(')')
                    && !t.get(j).isKeyword("select") && !t.get(j).isKeyword("values") && !t.get(j).isKeyword("table")
                    && !t.get(j).isKeyword("search") && !t.get(j).isKeyword("cycle")) {
                j++;
            }
        }
        return j;
    }

    /** Index of the parenthesis closing the one at {@code open}, or -1. */
    static int matching(List<Token> t, int open) {
        int depth = 0;
        for (int j = open; j < t.size(); j++) {
            if (t.get(j).isPunct('(')) {
                depth++;
            } else if (t.get(j).isPunct(')')) {
                depth--;
                if (depth == 0) {
                    return j;
                }
            }
        }
        return -1;
    }
}
