package dev.dea.sql;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.config.DbConfig;
import dev.dea.error.SqlRejectedException;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The guard against its two corpora on a real server: every statement of
 * {@code attack-corpus.tsv} is refused with its rule, by the guard and through /execute, with
 * nothing happening in the database; every statement of {@code valid-corpus.sql} passes the
 * guard and runs. The fixture database holds the objects the attacks reach for: a function
 * outside the allowed schemas, an operator and a cast running it, a sequence.
 */
class GuardCorpusIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Attack(String rule, String sql) {
    }

    static final String FIXTURE = """
            CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text, country text, segment text,
                created_at timestamptz, number int, value numeric, comment text);
            INSERT INTO customers
            SELECT g, (ARRAY['Anna','Bert','Carla','Dmitri','Eve','Mia'])[1 + g % 6] || ' ' || g,
                   CASE WHEN g % 7 = 0 THEN NULL ELSE 'user' || g || '@example.org' END,
                   (ARRAY['DE','FR','US','JP'])[1 + g % 4], CASE WHEN g % 3 = 0 THEN 'b2b' ELSE 'b2c' END,
                   timestamptz '2024-01-01 00:00+00' + g * interval '1 day', g % 10, g * 1.5, 'note ' || g
            FROM generate_series(1, 40) g;
            CREATE TABLE products (id int PRIMARY KEY, name text, category text, price numeric(10,2), attrs jsonb,
                search tsvector);
            INSERT INTO products
            SELECT g, (ARRAY['red shoe','blue shoe','green hat','red scarf'])[1 + g % 4], (ARRAY['shoes','hats'])[1 + g % 2],
                   g * 3.25, jsonb_build_object('size', g % 5), to_tsvector('english', (ARRAY['red shoe','blue shoe','green hat','red scarf'])[1 + g % 4])
            FROM generate_series(1, 20) g;
            CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers, status text, total numeric(12,2),
                ordered_at timestamptz, tags text[], meta jsonb);
            INSERT INTO orders
            SELECT g, 1 + g % 40, (ARRAY['paid','open','refunded'])[1 + g % 3], (g * 7.3)::numeric(12,2),
                   timestamptz '2024-02-01 00:00+00' + g * interval '7 hours',
                   CASE WHEN g % 4 = 0 THEN ARRAY['gift'] ELSE ARRAY['sale','web'] END,
                   jsonb_build_object('channel', (ARRAY['web','email'])[1 + g % 2], 'utm', jsonb_build_object('source', 'ad'))
            FROM generate_series(1, 120) g;
            CREATE TABLE order_items (order_id int REFERENCES orders, product_id int REFERENCES products, id int, qty int,
                price numeric(10,2));
            INSERT INTO order_items SELECT 1 + g % 120, 1 + g % 20, 1 + g % 20, 1 + g % 4, g * 1.1 FROM generate_series(1, 300) g;
            ANALYZE;
            CREATE SEQUENCE dea_seq;
            CREATE SCHEMA tools;
            CREATE FUNCTION tools.slow(a int, b int) RETURNS boolean LANGUAGE sql
                AS 'SELECT pg_sleep(2) IS NULL';
            CREATE FUNCTION tools.slow(a text, b text) RETURNS boolean LANGUAGE sql
                AS 'SELECT pg_sleep(2) IS NULL';
            CREATE FUNCTION public.peek(path text) RETURNS text LANGUAGE sql AS 'SELECT pg_read_file(path)';
            CREATE OPERATOR public.~~~ (LEFTARG = int, RIGHTARG = int, FUNCTION = tools.slow);
            CREATE OPERATOR public.~~~ (LEFTARG = text, RIGHTARG = text, FUNCTION = tools.slow);
            CREATE TYPE public.boom AS (x text);
            CREATE FUNCTION tools.boomify(t text) RETURNS public.boom LANGUAGE sql AS 'SELECT ROW(pg_read_file(t))::public.boom';
            CREATE CAST (text AS public.boom) WITH FUNCTION tools.boomify(text);
            """;

    private static String database;
    private static AgentHarness agent;
    private static SqlGuard guard;

    @BeforeAll
    static void start() throws SQLException {
        database = TestPostgres.freshDatabase("dea_guard_corpus");
        try (Connection c = TestPostgres.connect(database); Statement s = c.createStatement()) {
            s.execute(FIXTURE);
        }
        agent = AgentHarness.start(TestPostgres.config(database),
                Map.of("SANDBOX_TIMEOUT_SECONDS", "120", "SANDBOX_POOL_SIZE", "1"));
        guard = new SqlGuard(Set.of(), Set.of(), Set.of(), List.of("public"), () -> {
            try (Connection c = TestPostgres.connect(database)) {
                return CallCatalog.load(c);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        TestPostgres.drop(database);
    }

    static List<Attack> attacks() {
        List<Attack> attacks = new ArrayList<>();
        for (String line : lines("/sql/attack-corpus.tsv")) {
            int tab = line.indexOf('\t');
            attacks.add(new Attack(line.substring(0, tab), line.substring(tab + 1)));
        }
        return attacks;
    }

    static List<String> validQueries() {
        return lines("/sql/valid-corpus.sql");
    }

    private static List<String> lines(String resource) {
        try (InputStream in = GuardCorpusIT.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the test resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#") && !l.startsWith("--"))
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theCorporaAreAsLargeAsTheIssueAsks() {
        assertThat(attacks()).hasSizeGreaterThanOrEqualTo(80);
        assertThat(validQueries()).hasSizeGreaterThanOrEqualTo(300).doesNotHaveDuplicates();
    }

    @Test
    void theGuardRefusesEveryAttackWithItsRule() {
        List<String> wrong = new ArrayList<>();
        for (Attack attack : attacks()) {
            try {
                guard.check(attack.sql());
                wrong.add("ACCEPTED: " + attack.sql());
            } catch (SqlRejectedException e) {
                if (!e.rule().equals(attack.rule())) {
                    wrong.add(e.rule() + " instead of " + attack.rule() + ": " + attack.sql() + " (" + e.getMessage() + ")");
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void theGuardAcceptsEveryValidQuery() {
        List<String> refused = new ArrayList<>();
        for (String sql : validQueries()) {
            try {
                guard.check(sql);
            } catch (SqlRejectedException e) {
                refused.add(e.rule() + ": " + sql + " (" + e.getMessage() + ")");
            }
        }
        assertThat(refused).isEmpty();
    }

    @Test
    void everyValidQueryRunsThroughExecute() throws Exception {
        List<String> failed = new ArrayList<>();
        for (String sql : validQueries()) {
            AgentHarness.Reply reply = agent.post("/execute",
                    JSON.writeValueAsString(Map.of("language", "sql", "code", sql, "preview_rows", 1)));
            if (reply.status() != 200) {
                failed.add(reply.status() + " " + sql + " -> " + reply.body());
            }
        }
        assertThat(failed).isEmpty();
    }

    @Test
    void everyAttackThroughExecuteIsRefusedAndNothingHappens() throws Exception {
        String hostname = Files.readString(Path.of("/etc/hostname")).strip();
        try (Connection sentinel = TestPostgres.connect(database); Statement s = sentinel.createStatement()) {
            long started = System.nanoTime();
            List<String> wrong = new ArrayList<>();
            for (Attack attack : attacks()) {
                long t0 = System.nanoTime();
                AgentHarness.Reply reply = agent.post("/execute",
                        JSON.writeValueAsString(Map.of("language", "sql", "code", attack.sql())));
                long millis = (System.nanoTime() - t0) / 1_000_000;
                JsonNode detail = reply.json().path("detail");
                if (reply.status() != 400 || !detail.path("type").asText().equals("SQL_REJECTED")
                        || !detail.path("rule").asText().equals(attack.rule())) {
                    wrong.add(reply.status() + " " + attack.sql() + " -> " + reply.body());
                }
                if (!hostname.isEmpty() && reply.body().contains(hostname)) {
                    wrong.add("server file content returned for " + attack.sql());
                }
                if (millis > 1_500) {
                    wrong.add("took " + millis + " ms (slept?): " + attack.sql());
                }
            }
            assertThat(wrong).isEmpty();
            assertThat((System.nanoTime() - started) / 1_000_000_000).isLessThan(60);
            // The sentinel backend was not killed, and no session holds an advisory lock.
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
            try (ResultSet rs = s.executeQuery("SELECT last_value, is_called FROM dea_seq")) {
                rs.next();
                assertThat(rs.getBoolean(2)).as("the sequence was never advanced").isFalse();
            }
        }
    }

    @Test
    void theGuardHoldsForFieldNotationWhateverTheCase() {
        assertThatThrownBy(() -> guard.check("SELECT ('/etc/hostname'::TEXT).Pg_Read_File"))
                .isInstanceOfSatisfying(SqlRejectedException.class,
                        e -> assertThat(e.rule()).isEqualTo(CallRules.RULE_FUNCTION));
    }

    @Test
    void everyAttackThroughMcpRunSqlIsRefusedWithItsRule() throws Exception {
        var transport = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + agent.uri("/").getPort())
                .endpoint("/mcp")
                .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + AgentHarness.TOKEN))
                .build();
        try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).build()) {
            client.initialize();
            List<String> wrong = new ArrayList<>();
            for (Attack attack : attacks()) {
                McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest("run_sql",
                        Map.of("sql", attack.sql())));
                JsonNode detail = JSON.readTree(((McpSchema.TextContent) result.content().get(0)).text());
                if (!Boolean.TRUE.equals(result.isError()) || !detail.path("type").asText().equals("SQL_REJECTED")
                        || !detail.path("rule").asText().equals(attack.rule())) {
                    wrong.add(attack.sql() + " -> " + detail);
                }
            }
            assertThat(wrong).isEmpty();
        }
    }

    @Test
    void everyAttackThroughPythonSqlIsRefused() throws Exception {
        List<Attack> attacks = attacks();
        String code = "import json\n"
                + "queries = json.loads(" + JSON.writeValueAsString(JSON.writeValueAsString(
                        attacks.stream().map(Attack::sql).toList())) + ")\n"
                + "outcomes = []\n"
                + "for q in queries:\n"
                + "    try:\n"
                + "        sql(q)\n"
                + "        outcomes.append('ACCEPTED')\n"
                + "    except AgentSqlError as e:\n"
                + "        outcomes.append(e.error_type + ' ' + e.message)\n"
                + "print(json.dumps(outcomes))\n"
                + "result_df = pd.DataFrame({'outcome': outcomes})\n";
        AgentHarness.Reply reply = agent.post("/execute", JSON.writeValueAsString(Map.of("language", "python", "code", code)));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode outcomes = JSON.readTree(reply.json().path("stdout").asText().strip());
        assertThat(outcomes.size()).isEqualTo(attacks.size());
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < attacks.size(); i++) {
            String outcome = outcomes.get(i).asText();
            if (!outcome.startsWith("SQL_REJECTED ")) {
                wrong.add(attacks.get(i).sql() + " -> " + outcome);
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void theGuardHoldsForALeastPrivilegeLoginToo() throws Exception {
        DbConfig login = TestPostgres.leastPrivilegeLogin(database);
        try (AgentHarness leastPrivileged = AgentHarness.start(login, Map.of())) {
            List<String> wrong = new ArrayList<>();
            for (Attack attack : attacks()) {
                AgentHarness.Reply reply = leastPrivileged.post("/execute",
                        JSON.writeValueAsString(Map.of("language", "sql", "code", attack.sql())));
                if (reply.status() != 400 || !reply.json().path("detail").path("rule").asText().equals(attack.rule())) {
                    wrong.add(reply.status() + " " + attack.sql() + " -> " + reply.body());
                }
            }
            assertThat(wrong).isEmpty();
            // The login reads the fixture: the corpus was refused by the guard, not by missing privileges.
            AgentHarness.Reply ok = leastPrivileged.post("/execute",
                    JSON.writeValueAsString(Map.of("language", "sql", "code", "SELECT count(*) AS n FROM orders")));
            assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        } finally {
            TestPostgres.dropLogin(login);
        }
    }
}
