package dev.dea.sql.mysql;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

import dev.dea.error.SqlRejectedException;
import dev.dea.sql.GuardedStatement;
import dev.dea.sql.StatementGuard;
import dev.dea.sql.StatementParser;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.Commit;
import net.sf.jsqlparser.statement.RollbackStatement;
import net.sf.jsqlparser.statement.SavepointStatement;
import net.sf.jsqlparser.statement.SetStatement;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.util.TablesNamesFinder;

import static java.util.Objects.requireNonNull;

/**
 * The SQL guard for MySQL 8.0+ and MariaDB 10.6+: lets through one read query and nothing
 * else. The guard's own lexer ({@link MySqlLexer}) follows the server's scanner and decides
 * the statement count, comments and quoting; the rules on its tokens decide the query's shape,
 * the tables and the calls; JSqlParser's full parse must agree that the text is one SELECT.
 * The text as received is what runs, never a re-print. The driver's multi-statement option
 * stays off as a second wall against stacked statements (docs/sql-guard-mysql.md).
 */
public final class MySqlGuard implements StatementGuard {

    /** As for PostgreSQL: a pathological statement is abandoned, not allowed to hold the request. */
    static final Duration PARSE_TIMEOUT = Duration.ofSeconds(5);

    private final DeniedTables deniedTables;
    private final Set<String> allowedFunctions;
    private final Set<String> deniedFunctionEntries;
    private final List<Pattern> deniedFunctions;
    private final Set<String> allowedFunctionSchemas;
    private final StatementParser parser;

    /**
     * {@code extraDeniedFunctions} (globs with {@code *}) remove functions from the built-in
     * allow-list; {@code extraDeniedTables} are {@code table}, {@code schema.table} or
     * {@code schema.*}; stored functions of {@code allowedFunctionSchemas} may be called
     * schema-qualified. All names are compared lower-cased.
     */
    public MySqlGuard(Set<String> extraDeniedFunctions, Set<String> extraDeniedTables,
                      Set<String> allowedFunctionSchemas) {
        this.deniedTables = new DeniedTables(extraDeniedTables);
        this.deniedFunctionEntries = Set.copyOf(requireNonNull(extraDeniedFunctions, "extraDeniedFunctions"));
        this.deniedFunctions = FunctionCalls.patterns(deniedFunctionEntries);
        this.allowedFunctions = BuiltInFunctions.allowed();
        SortedSet<String> schemas = new TreeSet<>();
        requireNonNull(allowedFunctionSchemas, "allowedFunctionSchemas")
                .forEach(s -> schemas.add(s.strip().replace("`", "").toLowerCase(Locale.ROOT)));
        this.allowedFunctionSchemas = Set.copyOf(schemas);
        this.parser = new StatementParser(PARSE_TIMEOUT, StatementParser.Syntax.MYSQL);
    }

    @Override
    public GuardedStatement check(String sql) {
        StatementGuard.requireText(sql);

        MySqlLexer.Result lexed = MySqlLexer.lex(sql);
        if (lexed.problem() != null) {
            throw reject(lexed.problem().rule(), lexed.problem().message());
        }
        int count = lexed.statementCount();
        if (count == 0) {
            throw reject("empty_statement", "the SQL contains no statement, only whitespace, comments or semicolons");
        }
        if (count > 1) {
            throw reject("multiple_statements", "only one statement per request is allowed; found " + count);
        }
        requireBalancedParentheses(lexed);
        QueryShapeRules.check(lexed.tokens());
        TableReferences.check(lexed.tokens(), deniedTables);
        SortedSet<String> functions =
                FunctionCalls.check(lexed.tokens(), allowedFunctions, deniedFunctions, allowedFunctionSchemas);

        Statements statements;
        try {
            statements = parser.parse(sql);
        } catch (StatementParser.Failure e) {
            return unparsed(sql, lexed, functions, e);
        }
        if (statements.size() != 1) {
            throw reject("statement_count_mismatch", "the statement boundaries are ambiguous: the guard's lexer "
                    + "sees 1 statement but the SQL parser sees " + statements.size());
        }
        Statement statement = statements.get(0);
        checkStatementType(statement);
        Set<String> tables = tablesOf(statement, lexed);
        return new GuardedStatement(sql, tables, functions);
    }

    /**
     * Valid MySQL that JSqlParser's grammar cannot read (SOUNDS LIKE, some MariaDB syntax):
     * the token rules, which already ran in full, decide alone. What they need from a parse,
     * one statement opening with a query keyword with balanced parentheses, the lexer established.
     */
    private GuardedStatement unparsed(String sql, MySqlLexer.Result lexed, Set<String> functions,
                                      StatementParser.Failure failure) {
        if (!failure.syntax()) {
            throw reject("parse_error", "the guard could not parse the statement: " + failure.getMessage());
        }
        return new GuardedStatement(sql, relations(TableReferences.afterFromAndJoin(lexed.tokens())), functions);
    }

    /**
     * Checked before any rule reads nesting (CTE bodies, calls) and before the parse, which
     * would spend its whole time budget on text the server refuses anyway.
     */
    private static void requireBalancedParentheses(MySqlLexer.Result lexed) {
        int depth = 0;
        for (MySqlLexer.Token token : lexed.tokens()) {
            depth += token.isPunct('(') ? 1 : token.isPunct(')') ? -1 : 0;
            if (depth < 0) {
                break;
            }
        }
        if (depth != 0) {
            throw reject("parse_error", "the statement's parentheses do not balance");
        }
    }

    /** Effective function deny entries (configured; the built-in never-list is in {@link #neverFunctions()}). */
    public Set<String> deniedFunctions() {
        return new TreeSet<>(deniedFunctionEntries);
    }

    /** Functions no configuration can allow. */
    public static Set<String> neverFunctions() {
        return new TreeSet<>(BuiltInFunctions.NEVER);
    }

    /** Effective table deny-list (built-in plus configured), sorted. */
    public Set<String> deniedTables() {
        return deniedTables.entries();
    }

    /**
     * The relations JSqlParser's tree reads, each held to the deny-list once more; where the
     * finder cannot walk a node type, the names after FROM and JOIN stand in for the audit trail.
     */
    private Set<String> tablesOf(Statement statement, MySqlLexer.Result lexed) {
        Set<String> names;
        try {
            names = new TreeSet<>();
            for (Table table : new TablesNamesFinder<Void>().getTables(statement).stream()
                    .map(Table::new).toList()) {
                names.add(table.getFullyQualifiedName());
            }
        } catch (RuntimeException e) {
            names = TableReferences.afterFromAndJoin(lexed.tokens());
        }
        return relations(names);
    }

    private Set<String> relations(Set<String> names) {
        Set<String> relations = new TreeSet<>();
        for (String name : names) {
            String[] parts = name.replace("`", "").toLowerCase(Locale.ROOT).split("\\.");
            String table = parts[parts.length - 1];
            String schema = parts.length > 1 ? parts[parts.length - 2] : null;
            if (table.equals("dual") && schema == null) {
                continue;
            }
            if (deniedTables.denied(schema, table) != null) {
                throw reject("denied_table", "reading " + (schema == null ? table : schema + "." + table)
                        + " is not allowed");
            }
            relations.add(schema == null ? table : schema + "." + table);
        }
        return relations;
    }

    // The token rules normally answer first; this covers what they let through.
    private static void checkStatementType(Statement statement) {
        if (statement instanceof Select) {
            return;
        }
        if (statement instanceof Commit || statement instanceof RollbackStatement
                || statement instanceof SavepointStatement) {
            throw reject("transaction_control", QueryShapeRules.TRANSACTION_MESSAGE);
        }
        if (statement instanceof SetStatement) {
            throw reject("set_statement", QueryShapeRules.SET_MESSAGE);
        }
        throw reject("not_a_query", "only read queries are allowed; found "
                + statement.getClass().getSimpleName().toUpperCase(Locale.ROOT));
    }

    static SqlRejectedException reject(String rule, String message) {
        return new SqlRejectedException(rule, message);
    }
}
