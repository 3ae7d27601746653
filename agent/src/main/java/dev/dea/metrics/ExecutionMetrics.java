package dev.dea.metrics;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.error.SqlRejectedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * Outcomes of SQL statements and Python executions. The {@code outcome} tag is
 * {@code success}, {@code rejected} (the SQL guard) or the lower-cased {@link ErrorType}
 * code ({@code sql_error}, {@code timeout}, ...), {@code internal} for anything else: a
 * closed set, so the series stay few. SQL series also carry the {@code datasource} they ran on
 * ({@link #forDatasource}); one that was built without a name counts as {@code default}.
 */
public final class ExecutionMetrics {
    static final String SQL = "dea.sql.executions";
    static final String SQL_REJECTIONS = "dea.sql.rejections";
    static final String SANDBOX = "dea.sandbox.executions";

    /** The datasource of runners built without a name: the one the DB_* variables define. */
    private static final String UNNAMED_DATASOURCE = "default";

    private final MeterRegistry registry;
    private final String datasource;

    public ExecutionMetrics(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
        this.datasource = UNNAMED_DATASOURCE;
        // Present from the start at 0, so rates and ratios exist before the first execution.
        sandbox("success");
    }

    private ExecutionMetrics(MeterRegistry registry, String datasource) {
        this.registry = registry;
        this.datasource = requireNonNull(datasource, "datasource");
        sql("success");
    }

    /** The same meters, the SQL ones tagged with {@code datasource}: for that datasource's runner. */
    public ExecutionMetrics forDatasource(String datasource) {
        return new ExecutionMetrics(registry, datasource);
    }

    /** Records nothing: for services built outside an agent (tests, tools). */
    public static ExecutionMetrics none() {
        // A composite registry without member registries hands out no-op meters.
        return new ExecutionMetrics(new CompositeMeterRegistry());
    }

    public void sqlSucceeded() {
        sql("success").increment();
    }

    public void sqlFailed(RuntimeException failure) {
        sql(outcome(failure)).increment();
        if (failure instanceof SqlRejectedException rejected) {
            Counter.builder(SQL_REJECTIONS).description("SQL statements the guard refused, by rule")
                    .tag("rule", rejected.rule()).tag("datasource", datasource).register(registry).increment();
        }
    }

    public void pythonSucceeded() {
        sandbox("success").increment();
    }

    public void pythonFailed(RuntimeException failure) {
        sandbox(outcome(failure)).increment();
    }

    static String outcome(RuntimeException failure) {
        if (!(failure instanceof AgentException agent)) {
            return "internal";
        }
        return agent.type() == ErrorType.SQL_REJECTED ? "rejected" : agent.type().name().toLowerCase(Locale.ROOT);
    }

    private Counter sql(String outcome) {
        return Counter.builder(SQL).description("SQL statements from /execute and from sql() in Python, by outcome")
                .tag("outcome", outcome).tag("datasource", datasource).register(registry);
    }

    private Counter sandbox(String outcome) {
        return Counter.builder(SANDBOX).description("Python executions, by outcome")
                .tag("outcome", outcome).register(registry);
    }
}
