package dev.dea.sql.mysql;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.error.SqlRejectedException;
import dev.dea.sql.GuardedStatement;
import dev.dea.sql.StatementGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeout;

class MySqlGuardTest {

    private static final MySqlGuard GUARD = new MySqlGuard(Set.of(), Set.of(), Set.of());

    static List<String> accepted() {
        return MySqlCorpus.accepted();
    }

    static List<MySqlCorpus.Rejected> rejected() {
        return MySqlCorpus.rejected();
    }

    static void assertRejected(StatementGuard guard, String sql, String rule) {
        assertThatThrownBy(() -> guard.check(sql))
                .as("%s", sql)
                .isInstanceOfSatisfying(SqlRejectedException.class, e -> {
                    assertThat(e.rule()).as("rule for %s (%s)", sql, e.getMessage()).isEqualTo(rule);
                    assertThat(e.type()).isEqualTo(ErrorType.SQL_REJECTED);
                    assertThat(e.details()).containsEntry("rule", rule);
                    assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
                });
    }

    @Test
    void corporaAreLargeEnoughToMeanSomething() {
        assertThat(accepted()).hasSizeGreaterThanOrEqualTo(40);
        assertThat(rejected()).hasSizeGreaterThanOrEqualTo(60);
    }

    @ParameterizedTest
    @MethodSource("accepted")
    void acceptsReadQueriesAndReturnsTheTextUnchanged(String sql) {
        GuardedStatement statement = GUARD.check(sql);
        assertThat(statement.sql()).isSameAs(sql);
    }

    @ParameterizedTest
    @MethodSource("rejected")
    void refusesEachCorpusStatementNamingItsRule(MySqlCorpus.Rejected statement) {
        assertRejected(GUARD, statement.sql(), statement.rule());
    }

    @Test
    void reportsTablesAndFunctionsForTheAuditTrail() {
        GuardedStatement s = GUARD.check("WITH big AS (SELECT * FROM orders) SELECT UPPER(c.name), COUNT(*) "
                + "FROM big JOIN shop.customers c ON c.id = big.customer_id GROUP BY c.name");
        assertThat(s.tables()).containsExactly("orders", "shop.customers");
        assertThat(s.functions()).containsExactly("count", "upper");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 1 --\tcomment", "SELECT 1 --\ncomment", "SELECT 1 --", "SELECT 1 -- ; DROP TABLE x"})
    void treatsDashDashBeforeWhitespaceControlOrEndAsAComment(String sql) {
        assertThat(GUARD.check(sql).sql()).isEqualTo(sql);
    }

    @Test
    void refusesTextThatTheParserSplitsOtherwiseThanTheServer() {
        // The server ends a # comment at a line feed only; JSqlParser also at a lone carriage
        // return. Where the two readings disagree, the guard refuses.
        assertRejected(GUARD, "SELECT 1 # x\r; DROP TABLE orders", "statement_count_mismatch");
        assertRejected(GUARD, "SELECT 1 # x\n; DROP TABLE orders", "multiple_statements");
    }

    @Test
    void acceptsValidMySqlThatJSqlParserCannotReadOnTheTokenRulesAlone() {
        GuardedStatement s = GUARD.check("SELECT name FROM customers WHERE name SOUNDS LIKE 'Robert'");
        assertThat(s.tables()).containsExactly("customers");
        assertRejected(GUARD, "SELECT name FROM customers WHERE name SOUNDS LIKE SLEEP(1)", "denied_function");
        assertRejected(GUARD, "SELECT name FROM mysql.user WHERE name SOUNDS LIKE 'x'", "denied_table");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 1 # x\u0000; DROP TABLE orders", "SELECT 1 --\u007F x", "SELECT 'a\u0001b'"})
    void refusesControlCharactersTheServerReadsItsOwnWay(String sql) {
        assertRejected(GUARD, sql, "parse_error");
    }

    @Test
    void doesNotNestBlockComments() {
        // "/* /* */" is one whole comment in MySQL; what follows is SQL again.
        assertRejected(GUARD, "SELECT 1 /* /* */ ; DROP TABLE orders", "multiple_statements");
    }

    @Test
    void keepsBackslashEscapesInsideStrings() {
        assertThat(GUARD.check("SELECT 'a\\\\', 'b;c'").functions()).isEmpty();
        assertRejected(GUARD, "SELECT 'x\\'; SELECT SLEEP(1) -- '", "parse_error");
    }

    @Test
    void treatsBacktickDoublingAsPartOfTheName() {
        assertRejected(GUARD, "SELECT * FROM `my``sql`.x, mysql.user", "denied_table");
        assertThat(GUARD.check("SELECT 1 AS `a``;b`").sql()).contains("``");
    }

    @Test
    void allowsStoredFunctionsOnlyInConfiguredSchemas() {
        MySqlGuard guard = new MySqlGuard(Set.of(), Set.of(), Set.of("Analytics"));
        assertThat(guard.check("SELECT analytics.margin(1)").functions()).containsExactly("analytics.margin");
        assertThat(guard.check("SELECT `ANALYTICS`.`margin`(1)").functions()).containsExactly("analytics.margin");
        assertRejected(guard, "SELECT other.margin(1)", "denied_function");
        assertRejected(guard, "SELECT margin(1)", "denied_function");
    }

    @Test
    void neverListWinsOverAllowedSchemas() {
        MySqlGuard guard = new MySqlGuard(Set.of(), Set.of(), Set.of("analytics"));
        assertRejected(guard, "SELECT analytics.sleep(1)", "denied_function");
        assertRejected(guard, "SELECT analytics.get_lock('a', 1)", "denied_function");
    }

    @Test
    void configuredDeniedFunctionsLeaveTheAllowList() {
        MySqlGuard guard = new MySqlGuard(Set.of("regexp_*", "MD5"), Set.of(), Set.of());
        assertRejected(guard, "SELECT REGEXP_LIKE('a', 'a')", "denied_function");
        assertRejected(guard, "SELECT md5('a')", "denied_function");
        assertThat(guard.check("SELECT SHA2('a', 256)").functions()).containsExactly("sha2");
    }

    @Test
    void configuredDeniedTablesHoldHoweverWritten() {
        MySqlGuard guard = new MySqlGuard(Set.of(), Set.of("salaries", "hr.*", "crm.contacts"), Set.of());
        assertRejected(guard, "SELECT * FROM `SALARIES`", "denied_table");
        assertRejected(guard, "SELECT * FROM shop.salaries", "denied_table");
        assertRejected(guard, "SELECT * FROM hr.anything", "denied_table");
        assertRejected(guard, "SELECT * FROM crm . `Contacts`", "denied_table");
        // An unqualified name means the default database, which is not crm.
        assertThat(guard.check("SELECT * FROM contacts").tables()).containsExactly("contacts");
        assertThat(guard.deniedTables()).contains("salaries", "hr.*", "crm.contacts", "mysql.*");
    }

    @Test
    void keepsInformationSchemaReadableExceptWhatRevealsOtherSessions() {
        assertThat(GUARD.check("SELECT table_name FROM information_schema.tables").tables())
                .containsExactly("information_schema.tables");
        assertRejected(GUARD, "SELECT * FROM information_schema.INNODB_BUFFER_PAGE", "denied_table");
        // A user table that merely shares a name with a denied information_schema view is readable.
        assertThat(GUARD.check("SELECT * FROM users").tables()).containsExactly("users");
    }

    @Test
    void readsPathologicalTextInLinearTime() {
        String manyWiths = "SELECT 1 FROM t WHERE x IN " + "(WITH a AS (SELECT 1) ".repeat(40_000);
        assertTimeout(Duration.ofSeconds(5), () -> assertRejected(GUARD, manyWiths, "parse_error"));
        // Deep nesting either parses or runs out of the parser's time: refused, never a hang.
        String manyCalls = "SELECT " + "ABS(".repeat(50_000) + "1" + ")".repeat(50_000);
        assertTimeout(Duration.ofSeconds(10), () -> {
            try {
                assertThat(GUARD.check(manyCalls).functions()).containsExactly("abs");
            } catch (SqlRejectedException e) {
                assertThat(e.rule()).isEqualTo("parse_error");
            }
        });
    }

    @Test
    void implementsTheSharedGuardInterface() {
        StatementGuard guard = GUARD;
        assertThat(guard.check("SELECT 1").functions()).isEmpty();
    }

    @Test
    void reportsMissingBlankAndOversizedTextAsValidationErrors() {
        for (String sql : new String[] {null, " \n", "SELECT '" + "x".repeat(StatementGuard.MAX_SQL_BYTES) + "'"}) {
            assertThatThrownBy(() -> GUARD.check(sql))
                    .isNotInstanceOf(SqlRejectedException.class)
                    .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.VALIDATION_ERROR));
        }
    }

    @Test
    void listsTheNeverCallableFunctions() {
        assertThat(MySqlGuard.neverFunctions()).contains("sleep", "benchmark", "load_file", "get_lock", "last_insert_id");
        assertThat(BuiltInFunctions.allowed()).doesNotContainAnyElementsOf(MySqlGuard.neverFunctions());
    }
}
