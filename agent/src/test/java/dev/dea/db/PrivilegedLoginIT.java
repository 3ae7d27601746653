package dev.dea.db;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.config.ConfigException;
import dev.dea.config.ConfigLoader;
import dev.dea.config.DbConfig;
import dev.dea.config.SqlLimits;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.SocketProxy;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A privileged database login (superuser, BYPASSRLS, a server-access role) is refused at start-up
 * and whenever the database comes back, unless DB_ALLOW_PRIVILEGED_LOGIN=true accepts it visibly;
 * the login docs/readonly-role.sql creates starts without the flag.
 */
class PrivilegedLoginIT {
    private static String database;
    private static final List<DbConfig> logins = new ArrayList<>();

    @BeforeAll
    static void createDatabase() throws Exception {
        database = TestPostgres.freshDatabase("dea_it_login");
        try (Connection c = TestPostgres.connect(database); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id int PRIMARY KEY, total numeric); INSERT INTO orders VALUES (1, 9.5), (2, 20)");
        }
    }

    @AfterAll
    static void dropDatabase() {
        TestPostgres.drop(database);
        logins.forEach(TestPostgres::dropLogin);
    }

    private static DbConfig superuser(boolean allowed) {
        DbConfig base = TestPostgres.config(database);
        return new DbConfig(base.dialect(), base.host(), base.port(), base.user(), base.password(), base.name(),
                base.sslMode(), Optional.empty(), "public", 2, allowed);
    }

    private static DbConfig leastPrivilege() {
        DbConfig login = TestPostgres.leastPrivilegeLogin(database);
        logins.add(login);
        return login;
    }

    private static DbConfig via(SocketProxy proxy, DbConfig login) {
        return new DbConfig(login.dialect(), "127.0.0.1", proxy.port(), login.user(), login.password(), login.name(),
                login.sslMode(), Optional.empty(), "public", 2, login.allowPrivilegedLogin());
    }

    private static SqlLimits limits() {
        return ConfigLoader.load(Map.of()).sql();
    }

    private static void asAdmin(String sql) throws Exception {
        try (Connection c = TestPostgres.connect(database); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void aSuperuserLoginStopsTheStartWithOneMessageNamingTheReasonAndTheScript() {
        assertThatThrownBy(() -> AgentHarness.start(superuser(false), Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement().asString()
                        .contains("DB_USER 'postgres'").contains("superuser").contains("docs/readonly-role.sql")
                        .contains("DB_ALLOW_PRIVILEGED_LOGIN=true"));
    }

    @Test
    void aLoginInAServerAccessRoleThroughAnotherRoleIsRefusedNamingTheRole() throws Exception {
        DbConfig login = leastPrivilege();
        String middle = login.user() + "_mid";
        asAdmin("CREATE ROLE " + middle + " NOLOGIN; GRANT pg_read_server_files, pg_signal_backend TO " + middle
                + "; GRANT " + middle + " TO " + login.user());
        try {
            assertThatThrownBy(() -> new Database(login, limits()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("member of pg_read_server_files, member of pg_signal_backend")
                    .hasMessageNotContaining("superuser");
        } finally {
            asAdmin("DROP ROLE " + middle);
        }
    }

    @Test
    void aLoginThatReadsAllDataOrMaySetASuperuserRoleIsRefused() throws Exception {
        DbConfig login = leastPrivilege();
        String boss = login.user() + "_boss";
        asAdmin("CREATE ROLE " + boss + " NOLOGIN SUPERUSER; GRANT " + boss + ", pg_read_all_data TO " + login.user());
        try {
            assertThatThrownBy(() -> new Database(login, limits()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("member of " + boss)
                    .hasMessageContaining("member of pg_read_all_data");
        } finally {
            asAdmin("DROP ROLE " + boss + "; REVOKE pg_read_all_data FROM " + login.user());
        }
    }

    @Test
    void aReadOnlyRoleThatBypassesRowSecurityIsRefusedNamingIt() throws Exception {
        DbConfig login = leastPrivilege();
        String role = login.user() + "_ro";
        asAdmin("CREATE ROLE " + role + " NOLOGIN BYPASSRLS; GRANT " + role + " TO " + login.user());
        DbConfig withRole = new DbConfig(login.dialect(), login.host(), login.port(), login.user(), login.password(),
                login.name(), login.sslMode(), Optional.of(role), "public", 2, false);
        try {
            assertThatThrownBy(() -> new Database(withRole, limits()))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("DB_READONLY_ROLE " + role + ": bypassrls");
        } finally {
            asAdmin("DROP ROLE " + role);
        }
    }

    @Test
    void aLoginThatMayBypassRowSecurityIsRefused() throws Exception {
        DbConfig login = leastPrivilege();
        asAdmin("ALTER ROLE " + login.user() + " BYPASSRLS");
        assertThatThrownBy(() -> new Database(login, limits())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("(bypassrls)");
    }

    @Test
    void withTheFlagASuperuserStartsAndHealthShowsItsPrivileges() {
        try (AgentHarness agent = AgentHarness.start(superuser(true), Map.of())) {
            var health = agent.getAnonymously("/health");
            assertThat(health.status()).isEqualTo(200);
            JsonNode privileges = health.json().path("database").path("privileged_login");
            assertThat(privileges.isArray()).isTrue();
            assertThat(privileges.toString()).contains("superuser");
            assertThat(agent.sql("SELECT count(*) FROM orders").status()).isEqualTo(200);
        }
    }

    @Test
    void theLoginOfTheReadOnlyRoleScriptStartsWithoutTheFlagAndServesSql() {
        DbConfig login = leastPrivilege();
        assertThat(login.allowPrivilegedLogin()).isFalse();
        try (AgentHarness agent = AgentHarness.start(login, Map.of())) {
            var health = agent.getAnonymously("/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json().path("database").has("privileged_login")).isFalse();
            var r = agent.sql("SELECT sum(total) AS total, current_user AS who FROM orders");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().path("data").path("rows").get(0).get(0).asText()).isEqualTo("29.5");
            assertThat(r.json().path("data").path("rows").get(0).get(1).asText()).isEqualTo(login.user());
            assertThat(agent.get("/schema/orders/profile").status()).isEqualTo(200);
        }
    }

    @Test
    void aDatabaseDownAtStartUpIsCheckedWhenItAnswersAndAPrivilegedLoginMakesItUnusable() throws Exception {
        try (SocketProxy proxy = SocketProxy.tcp(TestPostgres.config(database).port())) {
            proxy.down();
            try (AgentHarness agent = AgentHarness.start(via(proxy, superuser(false)), Map.of())) {
                assertThat(agent.getAnonymously("/health").json().path("database").path("reason").asText())
                        .isEqualTo("cannot connect to the database");
                proxy.up();
                var health = awaitHealth(agent, h -> h.json().path("database").path("reason").asText().contains("privileged"));
                assertThat(health.status()).isEqualTo(503);
                assertThat(health.json().path("database").path("status").asText()).isEqualTo("down");
                assertThat(health.json().path("database").path("reason").asText()).contains("superuser")
                        .contains("docs/readonly-role.sql").doesNotContain("postgres");
                for (var refused : List.of(agent.sql("SELECT 1"), agent.get("/schema/orders/profile"), agent.get("/schema"))) {
                    assertThat(refused.status()).as(refused.body()).isEqualTo(503);
                    assertThat(refused.errorType()).isEqualTo("DB_UNAVAILABLE");
                    assertThat(refused.json().path("detail").path("message").asText()).contains("privileged")
                            .contains("refused");
                }
            }
        }
    }

    @Test
    void aLoginThatBecamePrivilegedIsRefusedWhenTheDatabaseComesBack() throws Exception {
        DbConfig login = leastPrivilege();
        try (SocketProxy proxy = SocketProxy.tcp(login.port())) {
            try (AgentHarness agent = AgentHarness.start(via(proxy, login), Map.of())) {
                assertThat(agent.sql("SELECT count(*) FROM orders").status()).isEqualTo(200);
                proxy.down();
                asAdmin("GRANT pg_read_all_settings TO " + login.user());
                proxy.up();
                var health = awaitHealth(agent, h -> h.body().contains("privileged"));
                assertThat(health.json().path("database").path("reason").asText()).contains("member of pg_read_all_settings");
                var refused = agent.sql("SELECT count(*) FROM orders");
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.json().path("detail").path("message").asText()).contains("pg_read_all_settings");

                // Fixed in the database: the next connection is accepted and the agent heals by itself.
                asAdmin("REVOKE pg_read_all_settings FROM " + login.user());
                awaitHealth(agent, h -> h.status() == 200);
                // Each pool heals with its next new connection: a connection attempt that read the
                // privileges just before the REVOKE may still answer once (seen once in CI), so the
                // SQL path is awaited too, within a bound.
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
                int status = agent.sql("SELECT count(*) FROM orders").status();
                while (status != 200 && System.nanoTime() < deadline) {
                    Thread.sleep(250);
                    status = agent.sql("SELECT count(*) FROM orders").status();
                }
                assertThat(status).isEqualTo(200);
            }
        }
    }

    private static AgentHarness.Reply awaitHealth(AgentHarness agent, Predicate<AgentHarness.Reply> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        AgentHarness.Reply health = agent.getAnonymously("/health");
        while (!done.test(health) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            health = agent.getAnonymously("/health");
        }
        assertThat(done.test(health)).as("health never got there: %s", health.body()).isTrue();
        return health;
    }
}
