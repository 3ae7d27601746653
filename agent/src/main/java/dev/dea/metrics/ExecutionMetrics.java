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
 * closed set, so the series stay few.
 */
public final class ExecutionMetrics {
    static final String SQL = "dea.sql.executions";
    static final String SQL_REJECTIONS = "dea.sql.rejections";
    static final String SANDBOX = "dea.sandbox.executions";

    private final MeterRegistry registry;

    public ExecutionMetrics(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
        // Present from the start at 0, so rates and ratios exist before the first execution.
        sql("success");
        sandbox("success");
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
                    .tag("rule", rejected.rule()).register(registry).increment();
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
                .tag("outcome", outcome).register(registry);
    }

    private Counter sandbox(String outcome) {
        return Counter.builder(SANDBOX).description("Python executions, by outcome")
                .tag("outcome", outcome).register(registry);
    }
}
