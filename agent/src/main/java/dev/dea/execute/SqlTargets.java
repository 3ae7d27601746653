package dev.dea.execute;

import java.util.Optional;

/**
 * Where a SQL step runs: the runner of the datasource it names, or of the default one. The
 * datasource registry implements it, so that the execution service needs no knowledge of how
 * datasources are found, guarded by their circuit breakers, or named in errors.
 */
public interface SqlTargets {
    /** Runs {@code work} with the named datasource's runner (empty: the default), handing it the resolved name. */
    <T> T run(Optional<String> datasource, Work<T> work);

    @FunctionalInterface
    interface Work<T> {
        T run(String datasource, SqlRunner runner);
    }

    /** One runner for every step, named {@code name}: for tests and single-database wiring. */
    static SqlTargets single(String name, SqlRunner runner) {
        return new SqlTargets() {
            @Override
            public <T> T run(Optional<String> datasource, Work<T> work) {
                return work.run(name, runner);
            }
        };
    }
}
