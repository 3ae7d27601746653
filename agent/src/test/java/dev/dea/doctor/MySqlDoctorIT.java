package dev.dea.doctor;

import dev.dea.config.DbConfig;
import dev.dea.testing.TestMariaDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code doctor} against MariaDB: the login the agent would refuse fails, a writing login warns, a SELECT-only one passes. */
class MySqlDoctorIT {
    private static final String PASSWORD = "doctor-" + Long.toHexString(System.nanoTime());
    private static String database;
    private static String reader;
    private static String writer;
    private static String globalReader;

    @TempDir
    Path tmp;

    @BeforeAll
    static void createDatabaseAndLogins() {
        database = TestMariaDb.freshDatabase("mysqldb_it_doctor");
        TestMariaDb.execute(database, "CREATE TABLE t (x INT)");
        reader = database + "_ro";
        writer = database + "_rw";
        TestMariaDb.execute("", "CREATE USER '" + reader + "'@'%' IDENTIFIED BY '" + PASSWORD + "'");
        TestMariaDb.execute("", "GRANT SELECT ON `" + database + "`.* TO '" + reader + "'@'%'");
        TestMariaDb.execute("", "CREATE USER '" + writer + "'@'%' IDENTIFIED BY '" + PASSWORD + "'");
        TestMariaDb.execute("", "GRANT SELECT, INSERT, DELETE ON `" + database + "`.* TO '" + writer + "'@'%'");
        globalReader = database + "_all";
        TestMariaDb.execute("", "CREATE USER '" + globalReader + "'@'%' IDENTIFIED BY '" + PASSWORD + "'");
        TestMariaDb.execute("", "GRANT SELECT ON *.* TO '" + globalReader + "'@'%'");
    }

    @AfterAll
    static void dropDatabaseAndLogins() {
        TestMariaDb.execute("", "DROP USER IF EXISTS '" + reader + "'@'%'");
        TestMariaDb.execute("", "DROP USER IF EXISTS '" + writer + "'@'%'");
        TestMariaDb.execute("", "DROP USER IF EXISTS '" + globalReader + "'@'%'");
        TestMariaDb.drop(database);
    }

    private Map<String, String> env(String... extra) {
        DbConfig my = TestMariaDb.config(database);
        Map<String, String> env = new HashMap<>(Map.of(
                "DB_DIALECT", "mariadb", "DB_HOST", my.host(), "DB_PORT", Integer.toString(my.port()), "DB_USER", my.user(),
                "DB_PASSWORD", my.password(), "DB_NAME", database, "DB_SSL_MODE", "disable",
                "AGENT_SECRET_TOKEN", "doctor-test-token-0123456789",
                "CACHE_DIR", tmp.resolve("cache").toString(), "AUDIT_LOG_PATH", tmp.resolve("audit/audit.log").toString()));
        for (int i = 0; i < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return env;
    }

    private static Check check(List<Check> checks, String name) {
        List<Check> named = checks.stream().filter(c -> c.name().equals(name)).toList();
        assertThat(named).as("checks named '%s' in %s", name, checks).hasSize(1);
        return named.getFirst();
    }

    @Test
    void rootFailsWithoutTheFlagAndWarnsWithIt() {
        List<Check> refused = Doctor.diagnose(env(), Clock.systemUTC());
        assertThat(check(refused, DatabaseChecks.DATABASE).status()).isEqualTo(Check.Status.OK);
        assertThat(check(refused, DatabaseChecks.DATABASE).detail()).contains("MariaDB");
        Check login = check(refused, DatabaseChecks.LOGIN);
        assertThat(login.status()).isEqualTo(Check.Status.FAIL);
        assertThat(login.detail()).contains("ALL PRIVILEGES on *.*");
        assertThat(login.remedy()).hasValueSatisfying(r -> assertThat(r).contains("docs/readonly-role-mysql.sql"));

        List<Check> allowed = Doctor.diagnose(env("DB_ALLOW_PRIVILEGED_LOGIN", "true"), Clock.systemUTC());
        assertThat(check(allowed, DatabaseChecks.LOGIN).status()).isEqualTo(Check.Status.WARN);
        assertThat(check(allowed, DatabaseChecks.RIGHTS).status()).isEqualTo(Check.Status.WARN);
    }

    @Test
    void aWritingLoginFailsAndWithTheFlagWarnsNamingItsWrites() {
        List<Check> refused = Doctor.diagnose(env("DB_USER", writer, "DB_PASSWORD", PASSWORD), Clock.systemUTC());
        assertThat(check(refused, DatabaseChecks.LOGIN).status()).isEqualTo(Check.Status.FAIL);
        assertThat(check(refused, DatabaseChecks.LOGIN).detail()).contains("INSERT on " + database + ".*");

        List<Check> checks = Doctor.diagnose(env("DB_USER", writer, "DB_PASSWORD", PASSWORD,
                "DB_ALLOW_PRIVILEGED_LOGIN", "true"), Clock.systemUTC());
        assertThat(check(checks, DatabaseChecks.LOGIN).status()).isEqualTo(Check.Status.WARN);
        Check rights = check(checks, DatabaseChecks.RIGHTS);
        assertThat(rights.status()).isEqualTo(Check.Status.WARN);
        assertThat(rights.detail()).contains("INSERT, DELETE on " + database + ".*");
    }

    @Test
    void aSelectOnlyLoginPasses() {
        List<Check> checks = Doctor.diagnose(env("DB_USER", reader, "DB_PASSWORD", PASSWORD), Clock.systemUTC());
        assertThat(check(checks, DatabaseChecks.LOGIN).status()).isEqualTo(Check.Status.OK);
        assertThat(check(checks, DatabaseChecks.RIGHTS).status()).isEqualTo(Check.Status.OK);
    }

    @Test
    void aLoginThatMayReadTheGrantTablesStartsButWarns() {
        List<Check> checks = Doctor.diagnose(env("DB_USER", globalReader, "DB_PASSWORD", PASSWORD), Clock.systemUTC());
        assertThat(check(checks, DatabaseChecks.LOGIN).status()).isEqualTo(Check.Status.OK);
        Check rights = check(checks, DatabaseChecks.RIGHTS);
        assertThat(rights.status()).isEqualTo(Check.Status.WARN);
        assertThat(rights.detail()).contains("SELECT on *.*").contains("password hash");
    }
}
