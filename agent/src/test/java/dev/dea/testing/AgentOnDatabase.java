package dev.dea.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.dea.config.DbConfig;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * One agent over HTTP on a database of its own, for a test class: the database (PostgreSQL, or
 * MariaDB with {@link #freshMariaDb}) is created fresh, set up with the given statements and
 * scripts, served by an {@link AgentHarness} with the given environment, and dropped after the
 * class (even when the agent failed to start).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final AgentOnDatabase fixture = AgentOnDatabase.fresh("dea_it_jobs", "CREATE TABLE blocker (id int)")
 *         .env(Map.of("SQL_LOCK_TIMEOUT_SECONDS", "60"));
 * }</pre>
 */
public final class AgentOnDatabase implements BeforeAllCallback, AfterAllCallback {
    /** The suite's server of one dialect, reached through its test helper class. */
    private enum Server {
        POSTGRES {
            @Override String freshDatabase(String prefix) {
                return TestPostgres.freshDatabase(prefix);
            }

            @Override Connection connect(String database) throws SQLException {
                return TestPostgres.connect(database);
            }

            @Override void runScript(String database, String resource) {
                throw new UnsupportedOperationException("resource scripts are for MariaDB fixtures");
            }

            @Override DbConfig config(String database) {
                return TestPostgres.config(database);
            }

            @Override void drop(String database) {
                TestPostgres.drop(database);
            }
        },
        MARIADB {
            @Override String freshDatabase(String prefix) {
                return TestMariaDb.freshDatabase(prefix);
            }

            @Override Connection connect(String database) throws SQLException {
                return TestMariaDb.connect(database);
            }

            @Override void runScript(String database, String resource) {
                TestMariaDb.runScript(database, resource);
            }

            @Override DbConfig config(String database) {
                return TestMariaDb.config(database);
            }

            @Override void drop(String database) {
                TestMariaDb.drop(database);
            }
        };

        abstract String freshDatabase(String prefix);

        abstract Connection connect(String database) throws SQLException;

        abstract void runScript(String database, String resource);

        abstract DbConfig config(String database);

        abstract void drop(String database);
    }

    private final Server server;
    private final String prefix;
    private final List<String> scripts;
    private final List<String> setup;
    private final Map<String, String> env;
    private String database;
    private AgentHarness agent;

    private AgentOnDatabase(Server server, String prefix, List<String> scripts, List<String> setup,
            Map<String, String> env) {
        this.server = requireNonNull(server, "server");
        this.prefix = requireNonNull(prefix, "prefix");
        this.scripts = List.copyOf(scripts);
        this.setup = List.copyOf(setup);
        this.env = Map.copyOf(env);
    }

    /** A fresh PostgreSQL database named after {@code prefix}, set up by {@code setupSql} in order. */
    public static AgentOnDatabase fresh(String prefix, String... setupSql) {
        return new AgentOnDatabase(Server.POSTGRES, prefix, List.of(), List.of(setupSql), Map.of());
    }

    /** A fresh MariaDB database named after {@code prefix}, set up by {@code setupSql} in order. */
    public static AgentOnDatabase freshMariaDb(String prefix, String... setupSql) {
        return new AgentOnDatabase(Server.MARIADB, prefix, List.of(), List.of(setupSql), Map.of());
    }

    /** A test resource's SQL script run first (MariaDB only: {@link TestMariaDb#runScript}). */
    public AgentOnDatabase script(String resource) {
        return new AgentOnDatabase(server, prefix, append(scripts, resource), setup, env);
    }

    /** The agent's environment beyond AgentHarness's defaults. */
    public AgentOnDatabase env(Map<String, String> extraEnv) {
        return new AgentOnDatabase(server, prefix, scripts, setup, extraEnv);
    }

    private static List<String> append(List<String> list, String item) {
        List<String> out = new ArrayList<>(list);
        out.add(requireNonNull(item, "item"));
        return out;
    }

    public AgentHarness agent() {
        return requireNonNull(agent, "the agent starts before the class's tests (register this as a static field)");
    }

    public String database() {
        return requireNonNull(database, "the database is created before the class's tests");
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        database = server.freshDatabase(prefix);
        for (String resource : scripts) {
            server.runScript(database, resource);
        }
        try (Connection c = server.connect(database); Statement st = c.createStatement()) {
            for (String sql : setup) {
                st.execute(sql);
            }
        }
        agent = AgentHarness.start(server.config(database), env);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (agent != null) {
                agent.close();
            }
        } finally {
            if (database != null) {
                server.drop(database);
            }
        }
    }
}
