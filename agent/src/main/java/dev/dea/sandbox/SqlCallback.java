package dev.dea.sandbox;

import dev.dea.cache.FramePin;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;

import java.util.Optional;

/**
 * Runs a query the sandboxed code asked for ({@code sql(...)}, {@code pd.read_sql(q, conn)})
 * through the agent's SQL path and returns the cached result frame, pinned until its rows
 * are opened to be streamed back to the sandbox (the caller closes the pin). Throws {@link dev.dea.error.AgentException} (e.g.
 * SQL_REJECTED), which the code sees as an {@code AgentSqlError}. {@code datasource}: the name the
 * code gave ({@code sql(q, datasource="hr")}, {@code conns["hr"]}); empty for the default one.
 */
@FunctionalInterface
public interface SqlCallback {
    /**
     * For a step given no database: every {@code sql()} call is refused. The default, so that no
     * statement reaches a database without a caller that audits it.
     */
    SqlCallback NONE = (sql, datasource, requestId) -> {
        throw new AgentException(ErrorType.SQL_REJECTED, "This step has no database access: sql() is not available");
    };

    FramePin runSql(String sql, Optional<String> datasource, Optional<String> requestId);
}
