package dev.dea.sql;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import dev.dea.error.SqlRejectedException;
import net.sf.jsqlparser.statement.Block;
import net.sf.jsqlparser.statement.Commit;
import net.sf.jsqlparser.statement.ResetStatement;
import net.sf.jsqlparser.statement.RollbackStatement;
import net.sf.jsqlparser.statement.SavepointStatement;
import net.sf.jsqlparser.statement.SetStatement;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.select.Select;
import org.postgresql.core.NativeQuery;
import org.postgresql.core.Parser;

import static java.util.Objects.requireNonNull;

/**
 * The first line of defence in front of PostgreSQL: lets through one read query and
 * nothing else. Three independent readings of the text must agree before a statement
 * passes: the PostgreSQL driver's statement splitter, a lexer following PostgreSQL's own
 * scanner ({@link PgLexer}) and JSqlParser's full parse. A disagreement is itself a reason
 * to refuse, because it means one of them is not seeing what PostgreSQL will execute.
 * PostgreSQL's read-only, rolled-back transaction stays the backstop for writes; this guard
 * is what stops side effects a read-only transaction allows (see docs/sql-guard.md).
 */
public final class SqlGuard implements StatementGuard {

    static final int MAX_SQL_BYTES = StatementGuard.MAX_SQL_BYTES;
    static final Duration DEFAULT_PARSE_TIMEOUT = Duration.ofSeconds(5);

    /** Reads the connected server's catalog; called once, when the first statement arrives. */
    @FunctionalInterface
    public interface CatalogSource {
        CallCatalog load();
    }

    private final DenyList denyList;
    private final Set<String> allowedFunctionSchemas;
    private final List<String> searchPath;
    private final CatalogSource catalogSource;
    private final StatementParser parser;
    private final VerdictCache verdicts = new VerdictCache(VerdictCache.DEFAULT_CAPACITY);
    private volatile CallPolicy policy;

    /**
     * {@code extraDenied*} are lower-case names from configuration, added to the built-in
     * deny-lists. Function entries may use {@code *} as a wildcard ({@code pg_sleep*});
     * table entries may be {@code table}, {@code schema.table} or {@code schema.*}.
     * Functions of {@code allowedFunctionSchemas} are allowed besides the built-in ones;
     * {@code searchPath} is the connection's, which decides what an unqualified name can call.
     */
    public SqlGuard(Set<String> extraDeniedFunctions, Set<String> extraDeniedTables, Set<String> allowedFunctionSchemas,
                    List<String> searchPath, CatalogSource catalogSource) {
        this(extraDeniedFunctions, extraDeniedTables, allowedFunctionSchemas, searchPath, catalogSource,
                DEFAULT_PARSE_TIMEOUT);
    }

    SqlGuard(Set<String> extraDeniedFunctions, Set<String> extraDeniedTables, Set<String> allowedFunctionSchemas,
             List<String> searchPath, CatalogSource catalogSource, Duration parseTimeout) {
        this.denyList = new DenyList(extraDeniedFunctions, extraDeniedTables);
        this.allowedFunctionSchemas = Set.copyOf(allowedFunctionSchemas);
        this.searchPath = List.copyOf(searchPath);
        this.catalogSource = requireNonNull(catalogSource, "catalogSource");
        this.parser = new StatementParser(parseTimeout, StatementParser.Syntax.POSTGRESQL);
    }

    /**
     * Returns the statement to execute, or throws {@link SqlRejectedException} naming the
     * rule broken, or a VALIDATION_ERROR for missing, blank or oversized text. Thread-safe.
     */
    @Override
    public GuardedStatement check(String sql) {
        StatementGuard.requireText(sql);

        int driverStatements = countDriverStatements(sql);
        if (driverStatements == 0) {
            throw reject("empty_statement", "the SQL contains no statement, only whitespace, comments or semicolons");
        }
        if (driverStatements > 1) {
            throw reject("multiple_statements",
                    "only one statement per request is allowed; found " + driverStatements);
        }

        PgLexer.Result lexed = PgLexer.lex(sql);
        if (lexed.problem() != null) {
            throw parseError(lexed.problem());
        }
        TextRules.checkLeadingKeyword(lexed.tokens());
        TextRules.checkDataModifyingCte(lexed.tokens());
        TextRules.checkSelectInto(lexed.tokens());
        TextRules.checkLockingClause(lexed.tokens());
        TextRules.checkParameters(lexed.tokens());

        Optional<String> key = VerdictCache.keyOf(sql, lexed.tokens());
        Optional<VerdictCache.Verdict> known = key.flatMap(verdicts::find);
        if (known.isPresent()) {
            return new GuardedStatement(sql, known.get().tables(), known.get().functions());
        }
        GuardedStatement accepted = fullCheck(sql, lexed);
        key.ifPresent(k -> verdicts.remember(k, new VerdictCache.Verdict(accepted.tables(), accepted.functions())));
        return accepted;
    }

    /**
     * Calls are judged on PostgreSQL's tokens against the server's catalog; the rest on
     * JSqlParser's tree, cross-checked against the driver's and the lexer's reading. Where
     * JSqlParser's grammar cannot read valid PostgreSQL, the token rules decide alone, more
     * strictly (see {@link TextRules#checkUnparsed}); the original text is what runs either way.
     */
    private GuardedStatement fullCheck(String sql, PgLexer.Result lexed) {
        Set<String> functions = CallRules.check(lexed.tokens(), policy());
        Statements statements;
        try {
            statements = parser.parse(sql);
        } catch (StatementParser.Failure e) {
            if (!e.syntax()) {
                throw parseError(e.getMessage());
            }
            Set<String> tables = TextRules.checkUnparsed(lexed.tokens(), denyList, e.getMessage());
            return new GuardedStatement(sql, tables, functions);
        }
        if (statements.size() != 1) {
            throw reject("statement_count_mismatch", "the statement boundaries are ambiguous: the PostgreSQL driver "
                    + "sees 1 statement but the SQL parser sees " + statements.size());
        }
        Statement statement = statements.get(0);
        checkStatementType(statement);

        AstScan scan = AstScan.scan(statement, denyList);
        AstScan.Violation violation = scan.violation();
        if (violation != null) {
            throw reject(violation.rule().code, violation.message());
        }
        TextRules.auditNames(lexed.tokens(), scan, denyList);
        return new GuardedStatement(sql, scan.relations(), functions);
    }

    /** The call policy for the connected server, read from its catalog on first use. */
    CallPolicy policy() {
        CallPolicy p = policy;
        if (p == null) {
            synchronized (this) {
                p = policy;
                if (p == null) {
                    p = new CallPolicy(catalogSource.load(), denyList, allowedFunctionSchemas, searchPath);
                    policy = p;
                }
            }
        }
        return p;
    }

    /** How many statement shapes the guard answers without a full parse. */
    int rememberedVerdicts() {
        return verdicts.size();
    }

    /** Effective function deny-list (built-in plus configured), sorted. */
    public Set<String> deniedFunctions() {
        return denyList.functions();
    }

    /** Effective table deny-list (built-in plus configured), sorted. */
    public Set<String> deniedTables() {
        return denyList.tables();
    }

    /**
     * Statements as pgjdbc would send them. Fragments holding only comments do not count:
     * "SELECT 1; -- done" is one statement to PostgreSQL too.
     */
    private static int countDriverStatements(String sql) {
        List<NativeQuery> queries;
        try {
            queries = Parser.parseJdbcSql(sql, true, false, true, false, false);
        } catch (SQLException | RuntimeException e) {
            throw parseError("the PostgreSQL driver could not split it ("
                    + StatementParser.firstLine(String.valueOf(e.getMessage())) + ")");
        }
        int count = 0;
        for (NativeQuery query : queries) {
            String text = query.nativeSql;
            if (text != null && !text.isBlank() && !PgLexer.isBlankOrComment(text)) {
                count++;
            }
        }
        return count;
    }

    // The leading-keyword check normally answers first; this covers what it let through.
    private static void checkStatementType(Statement statement) {
        if (statement instanceof Select) {
            return;
        }
        if (statement instanceof Commit || statement instanceof RollbackStatement
                || statement instanceof SavepointStatement || statement instanceof Block) {
            throw reject("transaction_control", TextRules.TRANSACTION_MESSAGE);
        }
        if (statement instanceof SetStatement || statement instanceof ResetStatement) {
            throw reject("set_statement", TextRules.SET_MESSAGE);
        }
        throw reject("not_a_query", "only read queries are allowed; found "
                + statement.getClass().getSimpleName().toUpperCase(Locale.ROOT));
    }

    static SqlRejectedException reject(String rule, String message) {
        return new SqlRejectedException(rule, message);
    }

    private static SqlRejectedException parseError(String reason) {
        return reject("parse_error", "the guard could not parse the statement: " + reason);
    }
}
