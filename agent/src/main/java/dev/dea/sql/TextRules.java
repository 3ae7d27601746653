package dev.dea.sql;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.dea.sql.PgLexer.Kind;
import dev.dea.sql.PgLexer.Token;

import static dev.dea.sql.SqlGuard.reject;

/**
 * Rules judged on PostgreSQL's tokens rather than JSqlParser's tree: before parsing, so
 * that statements JSqlParser cannot parse still get their proper rule; and after, to audit
 * that every denied name PostgreSQL would see is one the tree accounts for.
 */
final class TextRules {

    static final String TRANSACTION_MESSAGE = "transaction control is not allowed; "
            + "every query already runs in its own read-only transaction";
    static final String SET_MESSAGE = "SET and RESET are not allowed; the agent fixes the session settings";
    static final String SELECT_INTO_MESSAGE = "SELECT ... INTO creates a table and is not allowed";
    static final String LOCKING_MESSAGE =
            "row-locking clauses (FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE, FOR KEY SHARE) are not allowed";

    private static final Set<String> READ_QUERY_STARTS = Set.of("select", "with", "values", "table");
    private static final Set<String> TRANSACTION_STARTS =
            Set.of("begin", "start", "commit", "rollback", "savepoint", "release", "end", "abort");
    private static final Set<String> DATA_MODIFYING = Set.of("insert", "update", "delete", "merge");

    private TextRules() {
    }

    /** The statement must open (after any parentheses) with SELECT, WITH, VALUES or TABLE. */
    static void checkLeadingKeyword(List<Token> tokens) {
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
            if (TRANSACTION_STARTS.contains(word) || (word.equals("prepare") && isKeyword(tokens, k + 1, "transaction"))) {
                throw reject("transaction_control", TRANSACTION_MESSAGE);
            }
            if (word.equals("set")) {
                if (isKeyword(tokens, k + 1, "transaction")
                        || (isKeyword(tokens, k + 1, "session") && isKeyword(tokens, k + 2, "characteristics"))) {
                    throw reject("transaction_control", TRANSACTION_MESSAGE);
                }
                throw reject("set_statement", SET_MESSAGE);
            }
            if (word.equals("reset")) {
                throw reject("set_statement", SET_MESSAGE);
            }
        }
        throw reject("not_a_query", "only read queries (SELECT, WITH ... SELECT, VALUES, TABLE) are allowed; found "
                + describe(first));
    }

    /**
     * {@code AS [NOT] [MATERIALIZED] ( INSERT|UPDATE|DELETE|MERGE}: found on tokens so the
     * rule holds even where JSqlParser cannot parse the DML (MERGE ... RETURNING).
     */
    static void checkDataModifyingCte(List<Token> tokens) {
        for (int k = 0; k < tokens.size(); k++) {
            if (!tokens.get(k).isKeyword("as")) {
                continue;
            }
            int j = k + 1;
            if (isKeyword(tokens, j, "not")) {
                j++;
            }
            if (isKeyword(tokens, j, "materialized")) {
                j++;
            }
            if (j + 1 < tokens.size() && tokens.get(j).isPunct('(')
                    && tokens.get(j + 1).kind() == Kind.IDENT && DATA_MODIFYING.contains(tokens.get(j + 1).text())) {
                throw reject("data_modifying_cte", "a WITH clause may only contain SELECT; found "
                        + tokens.get(j + 1).text().toUpperCase(Locale.ROOT) + " (data-modifying CTEs are not allowed)");
            }
        }
    }

    /**
     * {@code INTO} is reserved in PostgreSQL: after INSERT or MERGE it is DML following a
     * WITH (DML inside a CTE was refused already), anywhere else it is SELECT ... INTO,
     * including the TEMP/UNLOGGED forms JSqlParser cannot parse.
     */
    static void checkSelectInto(List<Token> tokens) {
        for (int k = 0; k < tokens.size(); k++) {
            if (!tokens.get(k).isKeyword("into")) {
                continue;
            }
            if (k > 0 && (tokens.get(k - 1).isKeyword("insert") || tokens.get(k - 1).isKeyword("merge"))) {
                throw reject("not_a_query", "only read queries are allowed; found " + describe(tokens.get(k - 1)));
            }
            throw reject("select_into", SELECT_INTO_MESSAGE);
        }
    }

    /**
     * {@code $1}-style placeholders: the agent sends the text as it is, with no values, so
     * PostgreSQL would answer with a protocol error ("bind message supplies 0 parameters"),
     * which reads like an outage rather than the caller's mistake.
     */
    static void checkParameters(List<Token> tokens) {
        for (Token token : tokens) {
            if (token.kind() == Kind.PARAM) {
                throw reject("parameter_placeholder", "parameter placeholders such as " + token.text()
                        + " are not supported: the statement runs as given, without parameters; write the values into the SQL");
            }
        }
    }

    /** {@code FOR UPDATE | NO KEY UPDATE | SHARE | KEY SHARE}, wherever it appears. */
    static void checkLockingClause(List<Token> tokens) {
        for (int k = 0; k < tokens.size(); k++) {
            if (!tokens.get(k).isKeyword("for")) {
                continue;
            }
            if (isKeyword(tokens, k + 1, "update") || isKeyword(tokens, k + 1, "share")
                    || (isKeyword(tokens, k + 1, "no") && isKeyword(tokens, k + 2, "key") && isKeyword(tokens, k + 3, "update"))
                    || (isKeyword(tokens, k + 1, "key") && isKeyword(tokens, k + 2, "share"))) {
                throw reject("locking_clause", LOCKING_MESSAGE);
            }
        }
    }

    /**
     * Every identifier that could name a denied table must be accounted for by the tree.
     * More occurrences in the text than in the tree mean part of the text reached JSqlParser
     * as something else (a string, a comment, raw text), so the tree cannot vouch for it.
     * Calls need no such audit: {@link CallRules} judges them on the tokens themselves.
     */
    static void auditNames(List<Token> tokens, AstScan scan, DenyList deny) {
        Map<String, Integer> tableNames = new TreeMap<>();
        for (Token token : tokens) {
            if (token.isIdentifier()) {
                String key = token.text().toLowerCase(Locale.ROOT);
                if (deny.deniesTableToken(key)) {
                    tableNames.merge(key, 1, Integer::sum);
                }
            }
        }
        tableNames.forEach((name, count) -> {
            if (count > scan.mentions(name)) {
                throw reject("denied_table", "reading " + name + " is not allowed");
            }
        });
    }

    /**
     * The statements that may follow a WITH clause besides SELECT. The leading-keyword rule
     * already refuses every other statement; unparsed, a WITH could still lead to these.
     */
    private static final Set<String> NOT_IN_A_QUERY = Set.of("insert", "update", "delete", "merge");

    /**
     * For valid PostgreSQL that JSqlParser's grammar cannot read (a named window refined in
     * OVER, prefix operators such as |/, IS NFC NORMALIZED, identifiers JSqlParser reserves):
     * with no tree to vouch for names, the tokens decide, more strictly. The leading keyword,
     * CTE, INTO, locking and call rules have run on the tokens already; here any word of a
     * statement other than a query, and any name that could be a denied table, refuses the
     * text. Returns the relations named after FROM and JOIN, for the audit trail.
     */
    static Set<String> checkUnparsed(List<Token> tokens, DenyList deny, String parserReason) {
        int depth = 0;
        for (Token token : tokens) {
            depth += token.isPunct('(') ? 1 : token.isPunct(')') ? -1 : 0;
            if (depth < 0) {
                break;
            }
        }
        if (depth != 0) {
            throw reject("parse_error", "the guard could not parse the statement (" + parserReason
                    + "): its parentheses do not balance");
        }
        for (Token token : tokens) {
            if (token.kind() == Kind.IDENT && NOT_IN_A_QUERY.contains(token.text())) {
                throw reject("parse_error", "the guard could not parse the statement (" + parserReason
                        + ") and will not accept it unparsed, since it contains " + describe(token));
            }
            if (token.isIdentifier() && deny.deniesTableToken(token.text().toLowerCase(Locale.ROOT))) {
                throw reject("denied_table", "reading " + token.text().toLowerCase(Locale.ROOT) + " is not allowed");
            }
        }
        return relationsAfterFrom(tokens);
    }

    private static Set<String> relationsAfterFrom(List<Token> tokens) {
        Set<String> relations = new TreeSet<>();
        for (int k = 0; k < tokens.size(); k++) {
            if (!(tokens.get(k).isKeyword("from") || tokens.get(k).isKeyword("join"))) {
                continue;
            }
            int j = k + 1;
            if (isKeyword(tokens, j, "only") || isKeyword(tokens, j, "lateral")) {
                j++;
            }
            StringBuilder name = new StringBuilder();
            while (j < tokens.size() && tokens.get(j).isIdentifier()) {
                name.append(tokens.get(j).text().toLowerCase(Locale.ROOT));
                if (j + 2 < tokens.size() && tokens.get(j + 1).isPunct('.') && tokens.get(j + 2).isIdentifier()) {
                    name.append('.');
                    j += 2;
                } else {
                    j++;
                    break;
                }
            }
            boolean call = j < tokens.size() && tokens.get(j).isPunct('(');
            if (!name.isEmpty() && !call) {
                relations.add(name.toString());
            }
        }
        return relations;
    }

    private static boolean isKeyword(List<Token> tokens, int index, String keyword) {
        return index < tokens.size() && tokens.get(index).isKeyword(keyword);
    }

    private static String describe(Token token) {
        return token.kind() == Kind.IDENT ? token.text().toUpperCase(Locale.ROOT) : "'" + token.text() + "'";
    }
}
