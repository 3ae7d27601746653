package dev.dea.config;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasourcesFileTest {
    private static final String TOKEN = "0123456789abcdef0123";
    private static final String SALES_SECRET = "sales-pw-never-shown-41";
    private static final String HR_SECRET = "hr-pw-never-shown-42";

    @TempDir
    Path dir;

    private Map<String, String> env(Path file, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("DATASOURCES_FILE", file.toString(), "AGENT_SECRET_TOKEN", TOKEN,
                "SALES_PASSWORD", SALES_SECRET));
        env.putAll(extra);
        return env;
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        return file;
    }

    @Test
    void readsSeveralDatasourcesFromYamlWithTheirOwnSettings() throws IOException {
        Path hrPassword = write("hr.pw", HR_SECRET + "\n");
        Path file = write("datasources.yaml", """
                datasources:
                  - name: sales
                    dialect: postgresql
                    host: pg.internal
                    database: sales
                    user: dea_reader
                    password_env: SALES_PASSWORD
                    default: true
                    ssl_mode: require
                    pool_size: 6
                    read_only_role: dea_readonly
                    search_path: shop, public
                  - name: hr
                    dialect: postgres
                    host: hr.internal
                    port: 6432
                    database: people
                    user: hr_reader
                    password_file: %s
                    sql:
                      timeout_seconds: 5
                      max_rows: 1000
                      deny_tables: [Salaries]
                """.formatted(hrPassword));
        AgentConfig config = ConfigLoader.load(env(file, Map.of("SQL_DENY_TABLES", "audit_log")));
        assertThat(config.datasources()).extracting(DatasourceConfig::name).containsExactly("sales", "hr");
        DatasourceConfig sales = config.datasources().get(0);
        DatasourceConfig hr = config.datasources().get(1);
        assertThat(sales.isDefault()).isTrue();
        assertThat(hr.isDefault()).isFalse();
        assertThat(config.db()).contains(sales.db());
        assertThat(sales.db().port()).isEqualTo(5432);
        assertThat(sales.db().password()).isEqualTo(SALES_SECRET);
        assertThat(sales.db().sslMode()).isEqualTo("require");
        assertThat(sales.db().poolSize()).isEqualTo(6);
        assertThat(sales.db().readOnlyRole()).contains("dea_readonly");
        assertThat(sales.db().searchPath()).isEqualTo("shop, public");
        assertThat(sales.sql()).isEqualTo(config.sql());
        assertThat(hr.db().port()).isEqualTo(6432);
        assertThat(hr.db().password()).as("one trailing newline is the file's").isEqualTo(HR_SECRET);
        assertThat(hr.sql().statementTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(hr.sql().maxRows()).isEqualTo(1000);
        assertThat(hr.sql().extraDeniedTables()).as("the agent's deny-list holds everywhere")
                .containsExactlyInAnyOrder("audit_log", "salaries");
    }

    @Test
    void acceptsAJsonFileAsItIs() throws IOException {
        Path file = write("datasources.json", """
                {"datasources": [
                  {"name": "only", "dialect": "postgresql", "host": "pg", "database": "d", "user": "u",
                   "password_env": "SALES_PASSWORD"}
                ]}""");
        AgentConfig config = ConfigLoader.load(env(file, Map.of()));
        assertThat(config.datasources()).singleElement().satisfies(d -> {
            assertThat(d.name()).isEqualTo("only");
            assertThat(d.isDefault()).as("the one datasource is the default").isTrue();
        });
    }

    @Test
    void reportsEveryProblemOfEveryEntryAtOnce() throws IOException {
        Path file = write("datasources.yaml", """
                datasources:
                  - name: Bad Name
                    dialect: oracle
                    host: h
                    database: d
                    user: u
                    password_env: NOT_SET_ANYWHERE
                    default: true
                  - name: two
                    dialect: postgresql
                    database: d
                    password: inline-secret-xyz
                    port: huge
                    ssl_mode: sometimes
                    pool_size: 0
                    colour: blue
                    default: true
                  - name: two
                    dialect: postgresql
                    host: h
                    database: d
                    user: u
                    password_env: SALES_PASSWORD
                    password_file: /nope
                """);
        assertThatThrownBy(() -> ConfigLoader.load(env(file, Map.of())))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems())
                            .anySatisfy(p -> assertThat(p).contains("name must match").contains("'Bad Name'"))
                            .anySatisfy(p -> assertThat(p).contains("dialect must be postgresql or mysql").contains("oracle"))
                            .anySatisfy(p -> assertThat(p).contains("password_env names NOT_SET_ANYWHERE, which is not set"))
                            .anySatisfy(p -> assertThat(p).contains("datasource 'two'").contains("host is required"))
                            .anySatisfy(p -> assertThat(p).contains("datasource 'two'").contains("user is required"))
                            .anySatisfy(p -> assertThat(p).contains("an inline password is not accepted"))
                            .anySatisfy(p -> assertThat(p).contains("port must be a whole number"))
                            .anySatisfy(p -> assertThat(p).contains("ssl_mode 'sometimes'"))
                            .anySatisfy(p -> assertThat(p).contains("pool_size must be between 1 and 200"))
                            .anySatisfy(p -> assertThat(p).contains("unknown key 'colour'"))
                            .anySatisfy(p -> assertThat(p).contains("datasource 'two' is defined twice"))
                            .anySatisfy(p -> assertThat(p).contains("exactly one of password_env"))
                            .anySatisfy(p -> assertThat(p).contains("exactly one datasource with default: true, found 2"));
                    assertThat(e.getMessage()).doesNotContain("inline-secret-xyz").doesNotContain(SALES_SECRET);
                });
    }

    @Test
    void acceptsMySqlWithItsOwnRules() throws IOException {
        Path ok = write("mysql.yaml", """
                datasources:
                  - {name: shop, dialect: mariadb, host: h, database: shop, user: u, password_env: SALES_PASSWORD}
                """);
        assertThat(ConfigLoader.load(env(ok, Map.of())).datasources().get(0).db().port()).isEqualTo(3306);
        Path bad = write("mysql-bad.yaml", """
                datasources:
                  - {name: shop, dialect: mysql, host: h, database: mysql, user: u, password_env: SALES_PASSWORD,
                     read_only_role: ro, search_path: other, sql: {allow_function_schemas: [sys, shop]}}
                """);
        assertThatThrownBy(() -> ConfigLoader.load(env(bad, Map.of())))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains("is a MySQL system schema"))
                        .anySatisfy(p -> assertThat(p).contains("read_only_role is PostgreSQL-only"))
                        .anySatisfy(p -> assertThat(p).contains("search_path is PostgreSQL-only"))
                        .anySatisfy(p -> assertThat(p).contains("allow_function_schemas may name only the client's own "
                                + "databases, got 'sys'"))
                        .noneSatisfy(p -> assertThat(p).contains("got 'shop'")));
    }

    @Test
    void refusesEveryDbVariableSetBesideTheFileNamingEach() throws IOException {
        Path file = write("datasources.yaml", """
                datasources:
                  - {name: a, dialect: postgresql, host: h, database: d, user: u, password_env: SALES_PASSWORD}
                """);
        assertThatThrownBy(() -> ConfigLoader.load(env(file, Map.of("DB_HOST", "db", "DB_POOL_SIZE", "4"))))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("DB_HOST is set together with DATASOURCES_FILE"))
                        .anySatisfy(p -> assertThat(p).startsWith("DB_POOL_SIZE is set together with DATASOURCES_FILE")));
    }

    @Test
    void refusesAFileThatIsNeitherYamlNorJsonOrHoldsNoDatasource() throws IOException {
        Path broken = write("broken.json", "{\"datasources\": [");
        assertThatThrownBy(() -> ConfigLoader.load(env(broken, Map.of())))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains("is neither valid YAML nor JSON")));
        Path empty = write("empty.yaml", "datasources: []\n");
        assertThatThrownBy(() -> ConfigLoader.load(env(empty, Map.of())))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).contains("at least one entry")));
        assertThatThrownBy(() -> ConfigLoader.load(env(dir.resolve("missing.yaml"), Map.of())))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("DATASOURCES_FILE").contains("does not exist")));
    }

    @Test
    void theDbVariablesStillDefineOneDatasourceNamedDefault() {
        AgentConfig config = ConfigLoader.load(Map.of("DB_HOST", "db", "DB_USER", "u", "DB_NAME", "n",
                "DB_PASSWORD", SALES_SECRET, "AGENT_SECRET_TOKEN", TOKEN));
        assertThat(config.datasources()).singleElement().satisfies(d -> {
            assertThat(d.name()).isEqualTo("default");
            assertThat(d.isDefault()).isTrue();
            assertThat(d.db()).isEqualTo(config.db().orElseThrow());
        });
    }

    @Test
    void passwordsAreAbsentFromRenderingsAndLogs() throws IOException {
        Path file = write("datasources.yaml", """
                datasources:
                  - {name: sales, dialect: postgresql, host: h, database: d, user: u, password_env: SALES_PASSWORD}
                """);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try {
            AgentConfig config = ConfigLoader.load(env(file, Map.of()));
            assertThat(config.toString()).contains("sales").doesNotContain(SALES_SECRET);
            assertThat(config.datasources().get(0).toString()).doesNotContain(SALES_SECRET);
        } finally {
            root.detachAppender(logs);
        }
        List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).noneSatisfy(l -> assertThat(l).contains(SALES_SECRET));
    }
}
