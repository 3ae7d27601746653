package dev.dea.sql.mysql;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.dea.sql.mysql.MySqlLexer.Kind;
import dev.dea.sql.mysql.MySqlLexer.Token;

import static dev.dea.sql.mysql.MySqlGuard.reject;

/**
 * Rules on the statement's shape, judged on the guard's own tokens so that they hold
 * whether or not JSqlParser reads the text as MySQL does: one read query, nothing written
 * anywhere (INTO, DML after WITH), no locks, no variables, no sequences.
 */
final class QueryShapeRules {

    static final String TRANSACTION_MESSAGE = "transaction control is not allowed; "
            + "every query already runs in its own read-only transaction";
    static final String SET_MESSAGE = "SET is not allowed; the agent fixes the session settings";
    static final String INTO_MESSAGE = "SELECT ... INTO (OUTFILE, DUMPFILE, variables) is not allowed";
    static final String LOCKING_MESSAGE =
            "row-locking clauses (FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE) are not allowed";

    private static final Set<String> READ_QUERY_STARTS = Set.of("select", "with", "values", "table");
    private static final Set<String> TRANSACTION_STARTS =
            Set.of("begin", "start", "commit", "rollback", "savepoint", "release", "xa");
    /** Reserved words that only DML uses; INSERT and REPLACE are also string functions when a parenthesis follows. */
    private static final Set<String> DML = Set.of("insert", "replace", "update", "delete");

    private QueryShapeRules() {
    }

    static void check(List<Token> tokens) {
        checkLeadingKeyword(tokens);
        for (int k = 0; k < tokens.size(); k++) {
            Token t = tokens.get(k);
            if (t.isKeyword("into")) {
                if (k > 0 && (tokens.get(k - 1).isKeyword("insert") || tokens.get(k - 1).isKeyword("replace"))) {
                    throw reject("not_a_query", "only read queries are allowed; found " + describe(tokens.get(k - 1)));
                }
                throw reject("select_into", INTO_MESSAGE);
            }
            if ((t.isKeyword("for") && (isKeyword(tokens, k + 1, "update") || isKeyword(tokens, k + 1, "share")))
                    || (t.isKeyword("lock") && isKeyword(tokens, k + 1, "in"))) {
                throw reject("locking_clause", LOCKING_MESSAGE);
            }
        }
        for (int k = 0; k < tokens.size(); k++) {
            Token t = tokens.get(k);
            if (t.kind() == Kind.VARIABLE && t.text().equals("@@")) {
                throw reject("system_variable", "reading system variables (@@name) is not allowed: they reveal "
                        + "server internals such as paths and settings");
            }
            if (t.kind() == Kind.VARIABLE || (t.kind() == Kind.OPERATOR && t.text().equals(":="))) {
                throw reject("user_variable", "user variables (@name, :=) are not allowed: they keep state "
                        + "between statements of the session");
            }
            if (t.kind() == Kind.PARAM) {
                throw reject("parameter_placeholder", "parameter placeholders (?) are not supported: the statement "
                        + "runs as given, without parameters; write the values into the SQL");
            }
            if (t.kind() == Kind.IDENT && DML.contains(t.text()) && !isPunct(tokens, k + 1, '(')) {
                throw reject("not_a_query", "only read queries are allowed; found " + describe(t));
            }
            if ((t.isKeyword("next") || t.isKeyword("previous")) && isKeyword(tokens, k + 1, "value")
                    && isKeyword(tokens, k + 2, "for")) {
                throw reject("denied_function", describe(t) + " VALUE FOR reads or advances a sequence, which "
                        + "no rollback undoes");
            }
            if (t.isKeyword("procedure")) {
                throw reject("not_a_query", "SELECT ... PROCEDURE is not allowed: it runs a server procedure");
            }
            if (t.isDoubleQuotedString() && (isPunct(tokens, k + 1, '.') || isPunct(tokens, k + 1, '(')
                    || (k > 0 && tokens.get(k - 1).isPunct('.')))) {
                throw reject("parse_error", "a double-quoted string is used as a name (" + t.text()
                        + "); quote names with backticks");
            }
        }
    }

    /** The statement must open (after any parentheses) with SELECT, WITH, VALUES or TABLE. */
    private static void checkLeadingKeyword(List<Token> tokens) {
        int k = 0;
        while (k < tokens.size() && tokens.get(k).isPunct('(')) {
            k++;
        }
        if (k == tokens.size()) {
            throw reject("not_a_query", "only read queries are allowed");
        }
        Token first = tokens.get(k);
        if (first.kind() == Kind.IDENT) {
            String word = first.text();
            if (READ_QUERY_STARTS.contains(word)) {
                return;
            }
            if (TRANSACTION_STARTS.contains(word)) {
                throw reject("transaction_control", TRANSACTION_MESSAGE);
            }
            if (word.equals("set")) {
                boolean transaction = isKeyword(tokens, k + 1, "transaction")
                        || ((isKeyword(tokens, k + 1, "session") || isKeyword(tokens, k + 1, "global"))
                        && isKeyword(tokens, k + 2, "transaction"));
                if (transaction) {
                    throw reject("transaction_control", TRANSACTION_MESSAGE);
                }
                throw reject("set_statement", SET_MESSAGE);
            }
        }
        throw reject("not_a_query", "only read queries (SELECT, WITH ... SELECT, VALUES, TABLE) are allowed; found "
                + describe(first));
    }

    static boolean isKeyword(List<Token> tokens, int index, String keyword) {
        return index >= 0 && index < tokens.size() && tokens.get(index).isKeyword(keyword);
    }

    static boolean isPunct(List<Token> tokens, int index, char c) {
        return index >= 0 && index < tokens.size() && tokens.get(index).isPunct(c);
    }

    static String describe(Token token) {
        return token.kind() == Kind.IDENT ? token.text().toUpperCase(Locale.ROOT) : "'" + token.text() + "'";
    }
}
