package dev.dea.db.mysql;

import dev.dea.config.ConfigException;
import dev.dea.config.ConfigLoader;
import dev.dea.config.DbConfig;
import dev.dea.config.SqlLimits;
import dev.dea.db.Database;
import dev.dea.testing.TestMariaDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A privileged MySQL/MariaDB login (root: ALL PRIVILEGES ON *.* WITH GRANT OPTION; a global
 * write privilege; FILE; a write privilege on the database, granted directly or through a
 * default role) is refused at start-up unless DB_ALLOW_PRIVILEGED_LOGIN=true; a
 * SELECT-only login as docs/readonly-role-mysql.sql creates it starts without the flag.
 */
class MySqlPrivilegedLoginIT {
    private static final String PASSWORD = "it-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    private static String database;
    private static String reader;
    private static String writer;
    private static String filer;
    private static String dbWriter;
    private static String roleWriter;

    @BeforeAll
    static void createDatabaseAndLogins() {
        database = TestMariaDb.freshDatabase("mysqldb_it_login");
        TestMariaDb.execute(database, "CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2))");
        TestMariaDb.execute(database, "INSERT INTO orders VALUES (1, 9.50), (2, 20)");
        reader = login("reader", "GRANT SELECT, SHOW VIEW ON `" + database + "`.* TO %s");
        writer = login("writer", "GRANT SELECT, INSERT, UPDATE ON *.* TO %s");
        filer = login("filer", "GRANT SELECT, FILE ON *.* TO %s");
        dbWriter = login("dbw", "GRANT SELECT, DELETE ON `" + database + "`.* TO %s");
        roleWriter = login("rolew", "GRANT SELECT ON `" + database + "`.* TO %s");
        TestMariaDb.execute("", "CREATE ROLE IF NOT EXISTS `" + database + "_wr`");
        TestMariaDb.execute("", "GRANT UPDATE ON `" + database + "`.`orders` TO `" + database + "_wr`");
        TestMariaDb.execute("", "GRANT `" + database + "_wr` TO '" + roleWriter + "'@'%'");
        TestMariaDb.execute("", "SET DEFAULT ROLE `" + database + "_wr` FOR '" + roleWriter + "'@'%'");
    }

    private static String login(String role, String grant) {
        String name = database + "_" + role;
        String account = "'" + name + "'@'%'";
        TestMariaDb.execute("", "CREATE USER " + account + " IDENTIFIED BY '" + PASSWORD + "'");
        TestMariaDb.execute("", grant.formatted(account));
        return name;
    }

    @AfterAll
    static void dropDatabaseAndLogins() {
        for (String name : new String[] {reader, writer, filer, dbWriter, roleWriter}) {
            if (name != null) {
                TestMariaDb.execute("", "DROP USER IF EXISTS '" + name + "'@'%'");
            }
        }
        TestMariaDb.execute("", "DROP ROLE IF EXISTS `" + database + "_wr`");
        TestMariaDb.drop(database);
    }

    private static SqlLimits limits() {
        return ConfigLoader.load(Map.of()).sql();
    }

    private static DbConfig as(String user, String password, boolean allowed) {
        DbConfig base = TestMariaDb.config(database);
        return new DbConfig(base.dialect(), base.host(), base.port(), user, password, base.name(), base.sslMode(),
                Optional.empty(), base.searchPath(), 2, allowed);
    }

    private static DbConfig root(boolean allowed) {
        DbConfig base = TestMariaDb.config(database);
        return as(base.user(), base.password(), allowed);
    }

    @Test
    void rootIsRefusedAtStartWithoutTheFlag() {
        assertThatThrownBy(() -> new Database(root(false), limits()).close())
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(String.join("\n", e.problems()))
                        .contains("privileged database login", "ALL PRIVILEGES on *.*", "GRANT OPTION",
                                "docs/readonly-role-mysql.sql", "DB_ALLOW_PRIVILEGED_LOGIN=true"));
    }

    @Test
    void rootIsAcceptedVisiblyWithTheFlag() {
        try (Database db = new Database(root(true), limits())) {
            assertThat(db.<Long>readOnly(c -> count(c))).isEqualTo(2L);
            assertThat(db.health().privilegedLogin()).contains("ALL PRIVILEGES on *.*");
        }
    }

    @Test
    void globalWriteAndFilePrivilegesAreRefused() {
        assertThatThrownBy(() -> new Database(as(writer, PASSWORD, false), limits()).close())
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(String.join("\n", e.problems()))
                        .contains("INSERT on *.*", "UPDATE on *.*").doesNotContain("SELECT on"));
        assertThatThrownBy(() -> new Database(as(filer, PASSWORD, false), limits()).close())
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(String.join("\n", e.problems()))
                        .contains("FILE on *.*"));
    }

    @Test
    void aWritePrivilegeOnTheDatabaseIsRefusedAlsoThroughADefaultRole() {
        assertThatThrownBy(() -> new Database(as(dbWriter, PASSWORD, false), limits()).close())
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(String.join("\n", e.problems()))
                        .contains("DELETE on " + database + ".*").doesNotContain("SELECT on"));
        assertThatThrownBy(() -> new Database(as(roleWriter, PASSWORD, false), limits()).close())
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(String.join("\n", e.problems()))
                        .contains("UPDATE on " + database + ".orders"));
        try (Database db = new Database(as(dbWriter, PASSWORD, true), limits())) {
            assertThat(db.health().privilegedLogin()).contains("DELETE on " + database + ".*");
        }
    }

    @Test
    void aSelectOnlyLoginIsAcceptedWithoutTheFlag() {
        try (Database db = new Database(as(reader, PASSWORD, false), limits())) {
            assertThat(db.<Long>readOnly(c -> count(c))).isEqualTo(2L);
            assertThat(db.health().reachable()).isTrue();
            assertThat(db.health().privilegedLogin()).isEmpty();
        }
    }

    private static long count(java.sql.Connection c) throws java.sql.SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM orders")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
