package dev.dea.sql;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.dea.sql.SqlGuardTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The configured deny-list entries, added to the built-in ones. */
class SqlGuardConfigurationTest {

    private static final SqlGuard GUARD = TestGuards.guard(
            Set.of("acme_*", "*_unsafe", "export_all", "admin.purge", " Shout_Loud "),
            Set.of("salaries", "hr.reviews", "secret.*", "pg_stat_*"));

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT acme_send_mail('x')",
            "SELECT ACME_SEND_MAIL('x')",
            "SELECT tools.acme_wipe()",
            "SELECT * FROM acme_rows()",
            "SELECT make_it_unsafe(1)",
            "SELECT export_all()",
            "SELECT \"public\".\"EXPORT_ALL\"()",
            "SELECT purge()",
            "SELECT other_schema.purge()",
            "SELECT shout_loud('x')"})
    void rejectsConfiguredFunctions(String sql) {
        assertRejected(GUARD, sql, "denied_function");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT lower('x')",
            "SELECT md5('x')",
            "SELECT pg_catalog.upper('x')",
            "SELECT abs(-1)"})
    void acceptsFunctionsTheConfiguredPatternsDoNotMatch(String sql) {
        assertThat(GUARD.check(sql).sql()).isEqualTo(sql);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT * FROM salaries",
            "SELECT * FROM hr.salaries",
            "SELECT * FROM \"HR\".\"SALARIES\"",
            "SELECT * FROM hr.reviews",
            // search_path may resolve a bare name to the denied schema.
            "SELECT * FROM reviews",
            "SELECT * FROM secret.anything",
            "SELECT * FROM \"Secret\".keys",
            "SELECT * FROM payment WHERE customer_id IN (SELECT customer_id FROM secret.vip)",
            "SELECT * FROM pg_stat_activity",
            "SELECT * FROM pg_catalog.pg_stat_statements"})
    void rejectsConfiguredTables(String sql) {
        assertRejected(GUARD, sql, "denied_table");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT * FROM public.reviews",
            "SELECT * FROM keys",
            "SELECT salaries FROM payroll",
            "SELECT p.salaries FROM payroll p",
            "SELECT secret.id FROM payment AS secret",
            "WITH salaries AS (SELECT 1 AS x) SELECT x FROM salaries"})
    void acceptsNamesTheConfiguredTableEntriesDoNotCover(String sql) {
        assertThat(GUARD.check(sql).sql()).isEqualTo(sql);
    }

    @Test
    void listsBuiltInAndConfiguredEntriesNormalised() {
        assertThat(GUARD.deniedFunctions())
                .contains("pg_sleep*", "dblink*", "*_to_xml", "acme_*", "*_unsafe", "export_all", "purge", "shout_loud")
                .doesNotContain("admin.purge", " Shout_Loud ");
        assertThat(GUARD.deniedTables())
                .contains("pg_authid", "pg_shadow", "salaries", "hr.reviews", "secret.*", "pg_stat_*");
    }

    @Test
    void keepsBuiltInListsWhenNothingIsConfigured() {
        SqlGuard guard = TestGuards.guard(Set.of(), Set.of());
        assertThat(guard.deniedFunctions()).containsAll(DenyList.BUILT_IN_FUNCTIONS);
        assertThat(guard.deniedTables()).containsAll(DenyList.BUILT_IN_TABLES);
        assertRejected(guard, "SELECT pg_sleep(1)", "denied_function");
        // Other sessions' queries: denied by the built-in list now, configured or not.
        assertRejected(guard, "SELECT * FROM pg_stat_activity", "denied_table");
    }

    @Test
    void exposesUnmodifiableListsAndIgnoresLaterChangesToTheConfiguration() {
        Set<String> functions = new HashSet<>(Set.of("later_*"));
        SqlGuard guard = TestGuards.guard(functions, Set.of());
        functions.add("abs");
        assertThat(guard.check("SELECT abs(-1)").functions()).containsExactly("abs");
        assertThatThrownBy(() -> guard.deniedFunctions().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> guard.deniedTables().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void ignoresBlankEntries() {
        SqlGuard guard = TestGuards.guard(Set.of(" "), Set.of(""));
        assertThat(guard.deniedFunctions()).doesNotContain("", " ");
        assertThat(guard.deniedTables()).doesNotContain("");
        assertThat(guard.check("SELECT 1").sql()).isEqualTo("SELECT 1");
    }

    @Test
    void guardedStatementCopiesAndFreezesItsSets() {
        Set<String> tables = new HashSet<>(Set.of("film"));
        GuardedStatement statement = new GuardedStatement("SELECT 1", tables, Set.of());
        tables.add("payment");
        assertThat(statement.tables()).containsExactly("film");
        assertThatThrownBy(() -> statement.functions().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> new GuardedStatement(null, Set.of(), Set.of())).isInstanceOf(NullPointerException.class);
    }
}
