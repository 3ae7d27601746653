package dev.dea.metrics;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.error.SqlRejectedException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExecutionMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ExecutionMetrics agentWide = new ExecutionMetrics(registry);
    private final ExecutionMetrics metrics = agentWide.forDatasource("sales");

    private double count(String name, String tag, String value) {
        var counter = registry.find(name).tag(tag, value).counter();
        return counter == null ? -1 : counter.count();
    }

    @Test
    void outcomeIsRejectedForTheGuardAndTheLowerCasedTypeOtherwise() {
        assertThat(ExecutionMetrics.outcome(new SqlRejectedException("data_modifying", "no"))).isEqualTo("rejected");
        assertThat(ExecutionMetrics.outcome(new AgentException(ErrorType.SQL_ERROR, "bad"))).isEqualTo("sql_error");
        assertThat(ExecutionMetrics.outcome(new AgentException(ErrorType.DB_UNAVAILABLE, "down"))).isEqualTo("db_unavailable");
        assertThat(ExecutionMetrics.outcome(new IllegalStateException("a bug"))).isEqualTo("internal");
    }

    @Test
    void successSeriesExistAtZeroBeforeTheFirstExecution() {
        assertThat(count(ExecutionMetrics.SQL, "outcome", "success")).isZero();
        assertThat(count(ExecutionMetrics.SANDBOX, "outcome", "success")).isZero();
    }

    @Test
    void countsSqlOutcomesAndRejectionsByRule() {
        metrics.sqlSucceeded();
        metrics.sqlSucceeded();
        metrics.sqlFailed(new SqlRejectedException("denied_function", "pg_sleep is not allowed"));
        metrics.sqlFailed(new SqlRejectedException("denied_function", "dblink is not allowed"));
        metrics.sqlFailed(new SqlRejectedException("not_a_query", "DELETE"));
        metrics.sqlFailed(new AgentException(ErrorType.TIMEOUT, "slow"));

        assertThat(count(ExecutionMetrics.SQL, "outcome", "success")).isEqualTo(2);
        assertThat(count(ExecutionMetrics.SQL, "outcome", "rejected")).isEqualTo(3);
        assertThat(count(ExecutionMetrics.SQL, "outcome", "timeout")).isEqualTo(1);
        assertThat(count(ExecutionMetrics.SQL_REJECTIONS, "rule", "denied_function")).isEqualTo(2);
        assertThat(count(ExecutionMetrics.SQL_REJECTIONS, "rule", "not_a_query")).isEqualTo(1);
        assertThat(registry.find(ExecutionMetrics.SQL_REJECTIONS).counters()).hasSize(2);
    }

    @Test
    void sqlSeriesCarryTheirDatasource() {
        ExecutionMetrics hr = agentWide.forDatasource("hr");
        metrics.sqlSucceeded();
        hr.sqlFailed(new SqlRejectedException("denied_function", "pg_sleep is not allowed"));
        assertThat(registry.find(ExecutionMetrics.SQL).tags("outcome", "success", "datasource", "sales").counter().count())
                .isEqualTo(1);
        assertThat(registry.find(ExecutionMetrics.SQL).tags("outcome", "success", "datasource", "hr").counter().count())
                .as("each datasource's success series exists from the start").isZero();
        assertThat(registry.find(ExecutionMetrics.SQL).tags("outcome", "rejected", "datasource", "hr").counter().count())
                .isEqualTo(1);
        assertThat(registry.find(ExecutionMetrics.SQL_REJECTIONS).tags("rule", "denied_function", "datasource", "hr")
                .counter().count()).isEqualTo(1);
    }

    @Test
    void countsPythonOutcomesApartFromSql() {
        metrics.pythonSucceeded();
        metrics.pythonFailed(new AgentException(ErrorType.MEMORY_LIMIT, "killed"));
        metrics.pythonFailed(new AgentException(ErrorType.TOO_MANY_REQUESTS, "busy"));

        assertThat(count(ExecutionMetrics.SANDBOX, "outcome", "success")).isEqualTo(1);
        assertThat(count(ExecutionMetrics.SANDBOX, "outcome", "memory_limit")).isEqualTo(1);
        assertThat(count(ExecutionMetrics.SANDBOX, "outcome", "too_many_requests")).isEqualTo(1);
        assertThat(count(ExecutionMetrics.SQL, "outcome", "success")).isZero();
    }

    @Test
    void noneRecordsNothingAnywhere() {
        ExecutionMetrics none = ExecutionMetrics.none();
        none.sqlSucceeded();
        none.sqlFailed(new SqlRejectedException("denied_function", "no"));
        none.pythonSucceeded();
        assertThat(registry.find(ExecutionMetrics.SQL_REJECTIONS).counters()).isEmpty();
        assertThat(count(ExecutionMetrics.SQL, "outcome", "success")).isZero();
    }
}
