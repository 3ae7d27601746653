package dev.dea.sql.mysql;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import dev.dea.sql.mysql.MySqlLexer.Token;

import static dev.dea.sql.mysql.MySqlGuard.reject;
import static dev.dea.sql.mysql.QueryShapeRules.isKeyword;
import static dev.dea.sql.mysql.QueryShapeRules.isPunct;

/**
 * Denied tables found on the guard's tokens, so that backticks, case, comments between the
 * parts of a name, and nesting in subqueries, CTEs or joins change nothing: every identifier
 * is looked at wherever it stands. A denied schema's name is refused anywhere; a
 * {@code schema.table} entry when the two appear joined by a dot.
 */
final class TableReferences {

    private TableReferences() {
    }

    static void check(List<Token> tokens, DeniedTables denied) {
        for (int k = 0; k < tokens.size(); k++) {
            Token t = tokens.get(k);
            if (!t.isIdentifier() || isPunct(tokens, k + 1, '(')) {
                continue;
            }
            if (denied.deniesSchemaName(t.text())) {
                throw reject("denied_table", "reading from the schema " + t.text() + " is not allowed");
            }
            boolean qualified = isPunct(tokens, k + 1, '.') && k + 2 < tokens.size()
                    && tokens.get(k + 2).isIdentifier();
            if (qualified && denied.denied(t.text(), tokens.get(k + 2).text()) != null) {
                throw reject("denied_table", "reading " + t.text() + "." + tokens.get(k + 2).text() + " is not allowed");
            }
            if (denied.denied(null, t.text()) != null) {
                throw reject("denied_table", "reading " + t.text() + " is not allowed");
            }
        }
    }

    /** Names after FROM and JOIN, for the audit trail when JSqlParser's tree cannot list them. */
    static Set<String> afterFromAndJoin(List<Token> tokens) {
        Set<String> relations = new TreeSet<>();
        for (int k = 0; k < tokens.size(); k++) {
            if (!(tokens.get(k).isKeyword("from") || tokens.get(k).isKeyword("join"))) {
                continue;
            }
            int j = k + 1;
            if (isKeyword(tokens, j, "lateral")) {
                j++;
            }
            if (j < tokens.size() && tokens.get(j).isIdentifier() && !isPunct(tokens, j + 1, '(')) {
                String name = tokens.get(j).text();
                if (isPunct(tokens, j + 1, '.') && j + 2 < tokens.size() && tokens.get(j + 2).isIdentifier()) {
                    name = name + "." + tokens.get(j + 2).text();
                }
                relations.add(name);
            }
        }
        return relations;
    }
}
