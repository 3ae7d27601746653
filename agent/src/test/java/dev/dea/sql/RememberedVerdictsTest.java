package dev.dea.sql;

import dev.dea.error.SqlRejectedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The guard's memory of accepted statement shapes ({@link VerdictCache}) must never change a verdict. */
class RememberedVerdictsTest {

    @Test
    void answersStatementsThatDifferOnlyInConstantsFromOneParse() {
        SqlGuard guard = TestGuards.guard(Set.of(), Set.of());
        for (int aid = 1; aid <= 50; aid++) {
            String sql = "SELECT abalance FROM pgbench_accounts WHERE aid = " + aid + " AND filler <> 'x" + aid + "'";
            GuardedStatement statement = guard.check(sql);
            assertThat(statement.sql()).isEqualTo(sql);
            assertThat(statement.tables()).containsExactly("pgbench_accounts");
        }
        assertThat(guard.rememberedVerdicts()).isEqualTo(1);
    }

    @Test
    void remembersNoRejection() {
        SqlGuard guard = TestGuards.guard(Set.of(), Set.of());
        SqlGuardTest.assertRejected(guard, "SELECT pg_sleep(1)", "denied_function");
        SqlGuardTest.assertRejected(guard, "SELECT pg_sleep(2)", "denied_function");
        assertThat(guard.rememberedVerdicts()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "SELECT count(*) FROM film WHERE film_id = 1 | SELECT count(*) FROM film WHERE film_id = 2 FOR UPDATE | locking_clause",
            "SELECT 'pg_authid' | SELECT * FROM pg_authid | denied_table",
            "SELECT count(*) FROM film WHERE film_id = 1 | SELECT count(*) FROM film WHERE film_id = $1 | parameter_placeholder",
            "SELECT lower('a') | SELECT pg_sleep('1') | denied_function",
            "SELECT 1 | SELECT 1 /* /* */ , pg_sleep(1) */ , pg_sleep(1) | denied_function",
    })
    void rejectsANearTwinOfARememberedStatement(String accepted, String rejected, String rule) {
        SqlGuard guard = TestGuards.guard(Set.of(), Set.of());
        guard.check(accepted);
        assertThat(guard.rememberedVerdicts()).isEqualTo(1);
        SqlGuardTest.assertRejected(guard, rejected, rule);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pg_sleep", "PG_SLEEP", "\"pg_sleep\"", "pg_catalog.pg_sleep"})
    void aConfiguredDenyListAppliesToRememberedShapesToo(String call) {
        SqlGuard guard = TestGuards.guard(Set.of("lower"), Set.of());
        SqlGuardTest.assertRejected(guard, "SELECT lower('a')", "denied_function");
        SqlGuardTest.assertRejected(guard, "SELECT " + call + "(1)", "denied_function");
        assertThat(guard.rememberedVerdicts()).isZero();
    }

    /**
     * Every statement of {@link SqlGuardTest}'s corpus, checked by a guard that has first seen
     * (and remembered) every accepted statement of it, gets the verdict a fresh guard gives.
     */
    @Test
    void aGuardThatRememberedTheWholeAcceptedCorpusRejectsWhatAFreshOneRejects() {
        List<String> accepted = new ArrayList<>(SqlGuardTest.readQueries().toList());
        accepted.addAll(corpus("treatsSemicolons"));
        List<String> rejected = new ArrayList<>(corpus("rejects"));
        rejected.addAll(SqlGuardTest.deniedCallsInEveryPosition().toList());
        assertThat(accepted).hasSizeGreaterThanOrEqualTo(30);
        assertThat(rejected).hasSizeGreaterThanOrEqualTo(60);

        SqlGuard warm = TestGuards.guard(Set.of(), Set.of());
        accepted.forEach(warm::check);
        assertThat(warm.rememberedVerdicts()).isPositive();

        for (String sql : rejected) {
            assertThat(outcome(warm, sql)).as(sql).isEqualTo(outcome(TestGuards.guard(Set.of(), Set.of()), sql));
        }
    }

    private static String outcome(SqlGuard guard, String sql) {
        try {
            return "accepted " + guard.check(sql).tables();
        } catch (SqlRejectedException e) {
            return "rejected " + e.rule();
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }

    private static List<String> corpus(String prefix) {
        List<String> statements = new ArrayList<>();
        for (Method m : SqlGuardTest.class.getDeclaredMethods()) {
            ValueSource source = m.getAnnotation(ValueSource.class);
            if (m.getName().startsWith(prefix) && source != null) {
                statements.addAll(List.of(source.strings()));
            }
        }
        return statements;
    }
}
