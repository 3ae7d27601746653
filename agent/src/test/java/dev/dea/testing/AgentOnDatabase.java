package dev.dea.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * One agent over HTTP on a database of its own, for a test class: the database is created
 * fresh, set up with the given statements, served by an {@link AgentHarness} with the given
 * environment, and dropped after the class (even when the agent failed to start).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final AgentOnDatabase fixture = AgentOnDatabase.fresh("dea_it_jobs", "CREATE TABLE blocker (id int)")
 *         .env(Map.of("SQL_LOCK_TIMEOUT_SECONDS", "60"));
 * }</pre>
 */
public final class AgentOnDatabase implements BeforeAllCallback, AfterAllCallback {
    private final String prefix;
    private final List<String> setup;
    private final Map<String, String> env;
    private String database;
    private AgentHarness agent;

    private AgentOnDatabase(String prefix, List<String> setup, Map<String, String> env) {
        this.prefix = requireNonNull(prefix, "prefix");
        this.setup = List.copyOf(setup);
        this.env = Map.copyOf(env);
    }

    /** A fresh database named after {@code prefix}, set up by {@code setupSql} in order. */
    public static AgentOnDatabase fresh(String prefix, String... setupSql) {
        return new AgentOnDatabase(prefix, List.of(setupSql), Map.of());
    }

    /** The agent's environment beyond AgentHarness's defaults. */
    public AgentOnDatabase env(Map<String, String> extraEnv) {
        return new AgentOnDatabase(prefix, setup, extraEnv);
    }

    public AgentHarness agent() {
        return requireNonNull(agent, "the agent starts before the class's tests (register this as a static field)");
    }

    public String database() {
        return requireNonNull(database, "the database is created before the class's tests");
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        database = TestPostgres.freshDatabase(prefix);
        try (Connection c = TestPostgres.connect(database); Statement st = c.createStatement()) {
            for (String sql : setup) {
                st.execute(sql);
            }
        }
        agent = AgentHarness.start(TestPostgres.config(database), env);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (agent != null) {
                agent.close();
            }
        } finally {
            if (database != null) {
                TestPostgres.drop(database);
            }
        }
    }
}
