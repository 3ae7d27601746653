package dev.dea.doctor;

import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestCertificates;
import com.sun.net.httpserver.HttpServer;
import dev.dea.config.DbConfig;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The doctor against the real PostgreSQL, Docker engine and sandbox image, with one
 * broken thing at a time. Two login roles live in a database of their own: a reader set
 * up the docs/readonly-role.sql way and a writer with INSERT and UPDATE on one table.
 */
class DoctorIT {
    private static final String TOKEN = "doctor-test-token-0123456789";
    private static final String SUFFIX = Long.toHexString(System.nanoTime());
    private static final String READER = "dea_doctor_ro_" + SUFFIX;
    private static final String WRITER = "dea_doctor_rw_" + SUFFIX;
    private static String database;

    @TempDir
    Path tmp;

    @BeforeAll
    static void createDatabaseAndRoles() throws SQLException {
        database = TestPostgres.freshDatabase("dea_doctor");
        try (Connection c = TestPostgres.connect(database); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id int PRIMARY KEY, total numeric)");
            s.execute("CREATE ROLE " + READER + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS");
            s.execute("CREATE ROLE " + WRITER + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT");
            s.execute("REVOKE ALL ON DATABASE " + database + " FROM PUBLIC");
            s.execute("GRANT CONNECT ON DATABASE " + database + " TO " + READER + ", " + WRITER);
            s.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
            s.execute("GRANT USAGE ON SCHEMA public TO " + READER + ", " + WRITER);
            s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + READER + ", " + WRITER);
            s.execute("GRANT INSERT, UPDATE ON orders TO " + WRITER);
        }
    }

    @AfterAll
    static void dropDatabaseAndRoles() throws SQLException {
        // The grants live in the database: once it is gone the roles own and hold nothing.
        TestPostgres.drop(database);
        try (Connection c = TestPostgres.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS " + READER);
            s.execute("DROP ROLE IF EXISTS " + WRITER);
        }
    }

    private Map<String, String> env(String... extra) {
        DbConfig pg = TestPostgres.config(database);
        Map<String, String> env = new HashMap<>(Map.of(
                "DB_HOST", pg.host(), "DB_PORT", Integer.toString(pg.port()), "DB_USER", pg.user(),
                "DB_PASSWORD", pg.password(), "DB_NAME", database, "DB_SSL_MODE", "disable",
                "AGENT_SECRET_TOKEN", TOKEN,
                "CACHE_DIR", tmp.resolve("cache").toString(), "AUDIT_LOG_PATH", tmp.resolve("audit/audit.log").toString(),
                // Small, so the free-space warning only fires on a nearly full disk.
                "CACHE_MAX_BYTES", "64MB"));
        env.put("FRAME_MAX_BYTES", "16MB");
        // The suite's login is the superuser postgres: accepted explicitly; the refusal's tests unset it.
        env.put("DB_ALLOW_PRIVILEGED_LOGIN", "true");
        for (int i = 0; i < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return env;
    }

    private static List<Check> diagnose(Map<String, String> env) {
        return Doctor.diagnose(env, Clock.systemUTC());
    }

    private static Check check(List<Check> checks, String name) {
        List<Check> named = checks.stream().filter(c -> c.name().equals(name)).toList();
        assertThat(named).as("checks named '%s' in %s", name, checks).hasSize(1);
        return named.getFirst();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private record Run(int code, String output) {
    }

    private static Run run(Map<String, String> env) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = Doctor.run(new String[0], new PrintStream(bytes, true, StandardCharsets.UTF_8), env);
        return new Run(code, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everythingInPlaceExitsZero() throws IOException {
        var tls = TestCertificates.writeSelfSigned(tmp, "agent.test", Duration.ofDays(-1), Duration.ofDays(200));
        HttpServer platform = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        platform.start();
        try {
            Run run = run(env("DB_USER", READER, "SANDBOX_RUNTIME", "runsc", "AGENT_PORT", Integer.toString(closedPort()),
                    "CORE_LOGIC_URL", "http://127.0.0.1:" + platform.getAddress().getPort() + "/",
                    "TLS_CERT_FILE", tls.cert().toString(), "TLS_KEY_FILE", tls.key().toString()));
            assertThat(run.output()).doesNotContain("[FAIL]").doesNotContain("[SKIP]").doesNotContain("[WARN]");
            assertThat(run.output().lines().toList()).first().isEqualTo(Doctor.TITLE);
            assertThat(run.output().lines().toList()).last().isEqualTo("no problems");
            for (String name : List.of("configuration", "listen address", "database", "database login", "database rights", "docker engine", "sandbox runtime",
                    "sandbox image", "cache directory", "audit log directory", "platform", "tls certificate")) {
                assertThat(run.output()).contains("[ OK ] " + name + ": ");
            }
            assertThat(run.code()).isZero();
        } finally {
            platform.stop(0);
        }
        // The probes created the missing directories and removed them again.
        assertThat(tmp.resolve("cache")).doesNotExist();
        assertThat(tmp.resolve("audit")).doesNotExist();
    }

    @Test
    void listenPortHeldByAnotherProgramIsAProblemNamingIt() throws IOException {
        // After a failed start: something else holds AGENT_PORT, and the report must say so.
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Check listen = check(diagnose(env("AGENT_HOST", "127.0.0.1", "AGENT_PORT", Integer.toString(taken.getLocalPort()))),
                    ListenCheck.NAME);
            assertThat(listen.status()).isEqualTo(Check.Status.FAIL);
            assertThat(listen.detail()).contains("AGENT_PORT " + taken.getLocalPort() + " is in use")
                    .contains("(pid " + ProcessHandle.current().pid() + ")");
        }
    }

    @Test
    void listenPortHeldByThisAgentRunningIsFineButAnotherAgentIsNot() {
        try (AgentHarness agent = AgentHarness.start(TestPostgres.config(database), Map.of("AGENT_ID", "agt-doctor-self"))) {
            String port = Integer.toString(agent.app().port());
            Check self = check(diagnose(env("AGENT_HOST", "127.0.0.1", "AGENT_PORT", port, "AGENT_ID", "agt-doctor-self")),
                    ListenCheck.NAME);
            assertThat(self.status()).as(self.line()).isEqualTo(Check.Status.OK);
            assertThat(self.detail()).contains("this agent").contains("agt-doctor-self");
            Check other = check(diagnose(env("AGENT_HOST", "127.0.0.1", "AGENT_PORT", port, "AGENT_ID", "agt-doctor-other")),
                    ListenCheck.NAME);
            assertThat(other.status()).isEqualTo(Check.Status.FAIL);
            assertThat(other.detail()).contains("another Data Execution Agent (agent_id agt-doctor-self");
        }
    }

    @Test
    void unreachableDatabaseFailsAndSkipsItsDependents() throws IOException {
        List<Check> checks = diagnose(env("DB_PORT", Integer.toString(closedPort()), "DB_READONLY_ROLE", READER));
        Check db = check(checks, DatabaseChecks.DATABASE);
        assertThat(db.status()).isEqualTo(Check.Status.FAIL);
        assertThat(db.detail()).contains("cannot connect").contains("refused");
        assertThat(db.remedy()).hasValueSatisfying(r -> assertThat(r).contains("DB_HOST").contains("pg_hba.conf"));
        assertThat(check(checks, DatabaseChecks.RIGHTS).status()).isEqualTo(Check.Status.SKIP);
        assertThat(check(checks, DatabaseChecks.LOGIN).status()).isEqualTo(Check.Status.SKIP);
        assertThat(check(checks, DatabaseChecks.ROLE).status()).isEqualTo(Check.Status.SKIP);
    }

    @Test
    void checksEachDatasourceOfTheFileInABlockNamedForIt() throws IOException {
        DbConfig pg = TestPostgres.config(database);
        Path file = tmp.resolve("datasources.yaml");
        java.nio.file.Files.writeString(file, """
                datasources:
                  - {name: sales, dialect: postgresql, host: %s, port: %d, database: %s, user: %s, password_env: PW,
                     ssl_mode: disable, allow_privileged_login: true, default: true}
                  - {name: gone, dialect: postgresql, host: 127.0.0.1, port: %d, database: x, user: %s, password_env: PW,
                     ssl_mode: disable}
                """.formatted(pg.host(), pg.port(), database, pg.user(), closedPort(), pg.user()));
        Map<String, String> env = new HashMap<>(env());
        env.keySet().removeIf(k -> k.startsWith("DB_"));
        env.put("DATASOURCES_FILE", file.toString());
        env.put("PW", pg.password());
        List<Check> checks = diagnose(env);
        assertThat(check(checks, "database 'sales'").status()).isEqualTo(Check.Status.OK);
        assertThat(check(checks, "database 'sales' rights").status()).isEqualTo(Check.Status.WARN);
        assertThat(check(checks, "database 'gone'").status()).isEqualTo(Check.Status.FAIL);
        assertThat(check(checks, "database 'gone' login").status()).isEqualTo(Check.Status.SKIP);
        assertThat(checks).noneSatisfy(c -> assertThat(c.name()).isEqualTo(DatabaseChecks.DATABASE));
    }

    @Test
    void superuserLoginIsAWarningPointingAtTheReadOnlyRoleScript() {
        List<Check> checks = diagnose(env());
        assertThat(check(checks, DatabaseChecks.DATABASE).status()).isEqualTo(Check.Status.OK);
        assertThat(check(checks, DatabaseChecks.DATABASE).detail()).startsWith("PostgreSQL ");
        Check rights = check(checks, DatabaseChecks.RIGHTS);
        assertThat(rights.status()).isEqualTo(Check.Status.WARN);
        assertThat(rights.detail()).contains("superuser");
        assertThat(rights.remedy()).hasValueSatisfying(r -> assertThat(r).contains("docs/readonly-role.sql"));
    }

    @Test
    void superuserLoginWithoutTheFlagFailsNamingThePrivilege() {
        Run run = run(env("DB_ALLOW_PRIVILEGED_LOGIN", "false"));
        Check login = check(diagnose(env("DB_ALLOW_PRIVILEGED_LOGIN", "false")), DatabaseChecks.LOGIN);
        assertThat(login.status()).isEqualTo(Check.Status.FAIL);
        assertThat(login.detail()).contains("superuser").contains("refuses");
        assertThat(login.remedy()).hasValueSatisfying(r -> assertThat(r).contains("docs/readonly-role.sql")
                .contains("DB_ALLOW_PRIVILEGED_LOGIN=true"));
        assertThat(run.output()).contains("[FAIL] database login: ");
        assertThat(run.code()).isEqualTo(1);
    }

    @Test
    void superuserLoginWithTheFlagIsAWarning() {
        Check login = check(diagnose(env()), DatabaseChecks.LOGIN);
        assertThat(login.status()).isEqualTo(Check.Status.WARN);
        assertThat(login.detail()).contains("superuser").contains("DB_ALLOW_PRIVILEGED_LOGIN=true");
    }

    @Test
    void loginInAServerAccessRoleFailsNamingTheRole() throws SQLException {
        try (Connection c = TestPostgres.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("GRANT pg_read_server_files TO " + WRITER);
        }
        try {
            Check login = check(diagnose(env("DB_USER", WRITER, "DB_ALLOW_PRIVILEGED_LOGIN", "false")), DatabaseChecks.LOGIN);
            assertThat(login.status()).isEqualTo(Check.Status.FAIL);
            assertThat(login.detail()).contains("member of pg_read_server_files").doesNotContain("superuser");
        } finally {
            try (Connection c = TestPostgres.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("REVOKE pg_read_server_files FROM " + WRITER);
            }
        }
    }

    @Test
    void readOnlyLoginHasNoWriteWarning() {
        Check rights = check(diagnose(env("DB_USER", READER)), DatabaseChecks.RIGHTS);
        assertThat(rights.status()).isEqualTo(Check.Status.OK);
        assertThat(rights.detail()).contains(READER).contains("cannot write");
    }

    @Test
    void loginWithTableWriteGrantsIsAWarningNamingThem() {
        Check rights = check(diagnose(env("DB_USER", WRITER)), DatabaseChecks.RIGHTS);
        assertThat(rights.status()).isEqualTo(Check.Status.WARN);
        assertThat(rights.detail()).contains("INSERT, UPDATE on public.orders").doesNotContain("DELETE");
    }

    @Test
    void missingReadOnlyRoleFails() {
        Check role = check(diagnose(env("DB_READONLY_ROLE", "dea_doctor_no_such_role")), DatabaseChecks.ROLE);
        assertThat(role.status()).isEqualTo(Check.Status.FAIL);
        assertThat(role.detail()).contains("'dea_doctor_no_such_role' does not exist");
    }

    @Test
    void readOnlyRoleTheLoginMayNotSwitchToFails() {
        Check role = check(diagnose(env("DB_USER", WRITER, "DB_READONLY_ROLE", READER)), DatabaseChecks.ROLE);
        assertThat(role.status()).isEqualTo(Check.Status.FAIL);
        assertThat(role.detail()).contains("may not switch").contains(READER);
        assertThat(role.remedy()).hasValueSatisfying(r -> assertThat(r).contains("GRANT " + READER + " TO " + WRITER));
    }

    @Test
    void readOnlyRoleTheLoginSwitchesToIsOk() {
        Check role = check(diagnose(env("DB_READONLY_ROLE", READER)), DatabaseChecks.ROLE);
        assertThat(role.status()).isEqualTo(Check.Status.OK);
        assertThat(role.detail()).contains("switches to '" + READER + "'");
    }

    @Test
    void readOnlyRoleThatCanWriteIsAWarning() {
        Check role = check(diagnose(env("DB_READONLY_ROLE", WRITER)), DatabaseChecks.ROLE);
        assertThat(role.status()).isEqualTo(Check.Status.WARN);
        assertThat(role.detail()).contains("the role '" + WRITER + "' may write: INSERT, UPDATE on public.orders");
    }

    @Test
    void noDatabaseVariablesIsDemoMode() {
        Map<String, String> env = env();
        List.of("DB_HOST", "DB_USER", "DB_NAME", "DB_PASSWORD", "DB_PORT", "DB_SSL_MODE").forEach(env::remove);
        List<Check> checks = diagnose(env);
        Check db = check(checks, DatabaseChecks.DATABASE);
        assertThat(db.status()).isEqualTo(Check.Status.OK);
        assertThat(db.detail()).startsWith("demo mode");
        assertThat(checks).noneMatch(c -> c.name().equals(DatabaseChecks.RIGHTS));
    }

    @Test
    void unreachableDockerEngineFailsAndSkipsRuntimeAndImage() {
        List<Check> checks = diagnose(env("DOCKER_HOST", "unix:///nonexistent.sock"));
        Check engine = check(checks, DockerChecks.ENGINE);
        assertThat(engine.status()).isEqualTo(Check.Status.FAIL);
        assertThat(engine.detail()).contains("not reachable at unix:///nonexistent.sock");
        assertThat(engine.remedy()).hasValueSatisfying(r -> assertThat(r).contains("setup-docker.sh"));
        assertThat(check(checks, DockerChecks.RUNTIME).status()).isEqualTo(Check.Status.SKIP);
        assertThat(check(checks, DockerChecks.IMAGE).status()).isEqualTo(Check.Status.SKIP);
    }

    @Test
    void unknownRuntimeFails() {
        List<Check> checks = diagnose(env("SANDBOX_RUNTIME", "dea-no-such-runtime"));
        assertThat(check(checks, DockerChecks.ENGINE).status()).isEqualTo(Check.Status.OK);
        Check runtime = check(checks, DockerChecks.RUNTIME);
        assertThat(runtime.status()).isEqualTo(Check.Status.FAIL);
        assertThat(runtime.detail()).contains("'dea-no-such-runtime' is not configured").contains("runc");
    }

    @Test
    void missingImageFails() {
        Check image = check(diagnose(env("SANDBOX_IMAGE", "dea-missing:none")), DockerChecks.IMAGE);
        assertThat(image.status()).isEqualTo(Check.Status.FAIL);
        assertThat(image.detail()).isEqualTo("dea-missing:none not found");
        assertThat(image.remedy()).hasValueSatisfying(r -> assertThat(r).contains("build-offline.sh"));
    }

    @Test
    void directoriesBelowARegularFileFail() throws IOException {
        // Tests run as root, for whom permissions deny nothing: a file in the way denies everyone.
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        List<Check> checks = diagnose(env("CACHE_DIR", file.resolve("cache").toString(),
                "AUDIT_LOG_PATH", file.resolve("audit/audit.log").toString()));
        Check cache = check(checks, DirectoryChecks.CACHE);
        assertThat(cache.status()).isEqualTo(Check.Status.FAIL);
        assertThat(cache.detail()).contains(file.resolve("cache") + " is not writable");
        assertThat(cache.remedy()).hasValueSatisfying(r -> assertThat(r).contains("CACHE_DIR"));
        Check audit = check(checks, DirectoryChecks.AUDIT);
        assertThat(audit.status()).isEqualTo(Check.Status.FAIL);
        assertThat(audit.remedy()).hasValueSatisfying(r -> assertThat(r).contains("AUDIT_LOG_PATH"));
    }

    @Test
    void unreachablePlatformFails() throws IOException {
        Check platform = check(diagnose(env("CORE_LOGIC_URL", "http://127.0.0.1:" + closedPort() + "/")), PlatformCheck.NAME);
        assertThat(platform.status()).isEqualTo(Check.Status.FAIL);
        assertThat(platform.detail()).contains("connection refused");
    }

    @Test
    void platformAnsweringAnyStatusIsReachable() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        try {
            Check platform = check(diagnose(env("CORE_LOGIC_URL", "http://127.0.0.1:" + server.getAddress().getPort() + "/api")),
                    PlatformCheck.NAME);
            assertThat(platform.status()).isEqualTo(Check.Status.OK);
            assertThat(platform.detail()).contains("reachable (HTTP 404)");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void expiredCertificateFailsTheRun() {
        var tls = TestCertificates.writeSelfSigned(tmp, "expired", Duration.ofDays(-90), Duration.ofDays(-1));
        Run run = run(env("TLS_CERT_FILE", tls.cert().toString(), "TLS_KEY_FILE", tls.key().toString()));
        assertThat(run.output()).contains("[FAIL] tls certificate: CN=expired expired on");
        assertThat(run.code()).isEqualTo(1);
    }

    @Test
    void neverPrintsPasswordsOrTokens() throws IOException {
        String password = "pw-that-must-not-show-123";
        Run run = run(env("DB_PASSWORD", password, "DB_PORT", Integer.toString(closedPort()),
                "CORE_LOGIC_URL", "http://127.0.0.1:" + closedPort() + "/?token=" + TOKEN));
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.output()).contains("[FAIL] database:").contains("[FAIL] platform:")
                .doesNotContain(password).doesNotContain(TOKEN);
        // A password in the platform URL is refused by the configuration itself, without being echoed.
        Run inUrl = run(env("CORE_LOGIC_URL", "http://agent:" + password + "@127.0.0.1:" + closedPort() + "/"));
        assertThat(inUrl.code()).isEqualTo(1);
        assertThat(inUrl.output()).contains("[FAIL] configuration: CORE_LOGIC_URL must not carry user:password@")
                .doesNotContain(password);
    }
}
