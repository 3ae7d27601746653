package dev.dea.sql.mysql;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The MySQL guard's corpora against the machine's real MariaDB (127.0.0.1:3306, root): every
 * accepted statement is valid server SQL on a small fixture, and a sample of the refused ones
 * really would have done what the guard refuses them for. Also proves, on the server itself,
 * the two lists the call rules rest on: which keywords before a parenthesis never call a
 * stored function, and which allowed names may be written with a space. No MariaDB, no pass:
 * the connection failing fails the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MySqlGuardIT {

    private static final String SERVER = "jdbc:mariadb://"
            + System.getenv().getOrDefault("TEST_MARIADB_HOST", "127.0.0.1") + ":"
            + System.getenv().getOrDefault("TEST_MARIADB_PORT", "3306") + "/";
    private static final int STORED_RESULT = 4242;

    private final MySqlGuard guard = new MySqlGuard(Set.of(), Set.of(), Set.of());
    private final String database = "dea_it_myguard_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final Map<String, String> rejectedRules = MySqlCorpus.rejected().stream()
            .collect(Collectors.toMap(MySqlCorpus.Rejected::sql, MySqlCorpus.Rejected::rule, (a, b) -> a));
    private Connection connection;

    @BeforeAll
    void createFixture() throws SQLException {
        try (Connection admin = connect("")) {
            execute(admin, "CREATE DATABASE " + database);
        }
        connection = connect(database);
        for (String statement : MySqlCorpus.fixture().split(";\\s*\\n")) {
            if (!statement.isBlank()) {
                execute(connection, statement);
            }
        }
    }

    @AfterAll
    void dropFixture() throws SQLException {
        if (connection != null) {
            connection.close();
        }
        try (Connection admin = connect("")) {
            execute(admin, "DROP DATABASE IF EXISTS " + database);
        }
    }

    static List<String> accepted() {
        return MySqlCorpus.accepted();
    }

    @ParameterizedTest
    @MethodSource("accepted")
    void everyAcceptedStatementRunsOnMariaDb(String sql) throws SQLException {
        String guarded = guard.check(sql).sql();
        // Under the driver's sql_mode (with IGNORE_SPACE) and under the server's own.
        readAll(guarded);
        withoutIgnoreSpace(() -> readAll(guarded));
    }

    private void readAll(String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.getMetaData().getColumnCount()).isPositive();
            while (rs.next()) {
                // Read every row: errors raised while streaming count too.
            }
        }
    }

    @Test
    void sleepWouldHoldTheConnection() throws SQLException {
        assertRefused("SELECT SLEEP(1)");
        long start = System.nanoTime();
        assertThat(queryValue("SELECT SLEEP(1)")).isEqualTo("0");
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(900_000_000L);
    }

    @Test
    void getLockWouldTakeALockThatOutlivesTheStatement() throws SQLException {
        assertRefused("SELECT GET_LOCK('x', 10)");
        assertThat(queryValue("SELECT GET_LOCK('" + database + "', 0)")).isEqualTo("1");
        assertThat(queryValue("SELECT IS_USED_LOCK('" + database + "') IS NOT NULL")).isEqualTo("1");
        assertThat(queryValue("SELECT RELEASE_LOCK('" + database + "')")).isEqualTo("1");
    }

    @Test
    void loadFileWouldReadServerFilesOrMeetAPrivilegeCheck() {
        assertRefused("SELECT LOAD_FILE('/etc/passwd')");
        assertThatCode(() -> assertThat(queryValue("SELECT LOAD_FILE('/etc/passwd')")).contains("root:"))
                .satisfiesAnyOf(
                        thrown -> assertThat(thrown).isNull(),
                        thrown -> assertThat(thrown).isInstanceOf(SQLException.class).hasMessageContaining("denied"));
    }

    @Test
    void systemVariablesWouldRevealServerPaths() throws SQLException {
        assertRefused("SELECT @@datadir");
        assertThat(queryValue("SELECT @@datadir")).startsWith("/");
    }

    @Test
    void executableCommentsWouldRunTheirContent() throws SQLException {
        assertRefused("SELECT 1 /*!50700 , SLEEP(5) */");
        assertRefused("SELECT 1 /*M! , SLEEP(5) */");
        assertThat(columnCount("SELECT 1 /*! , 2 */")).isEqualTo(2);
        // MariaDB runs versioned comments below MySQL 5.7's numbers and its own six-digit ones; it skips 50700-99999.
        assertThat(columnCount("SELECT 1 /*!50000 , 2 */")).isEqualTo(2);
        assertThat(columnCount("SELECT 1 /*!100000 , 2 */")).isEqualTo(2);
        assertThat(columnCount("SELECT 1 /*M! , 2 */")).isEqualTo(2);
    }

    @Test
    void grantTablesAndOtherSessionsWouldBeReadable() throws SQLException {
        assertRefused("SELECT User, authentication_string FROM `mysql`.`user`");
        assertRefused("SELECT * FROM information_schema.processlist");
        assertThat(Integer.parseInt(queryValue("SELECT COUNT(*) FROM `mysql`.`user`"))).isPositive();
        assertThat(Integer.parseInt(queryValue("SELECT COUNT(*) FROM information_schema.processlist"))).isPositive();
    }

    @Test
    void userVariablesAndLastInsertIdWouldKeepStateBetweenStatements() throws SQLException {
        assertRefused("SELECT @a := COUNT(*) FROM orders");
        assertRefused("SELECT LAST_INSERT_ID(42)");
        queryValue("SELECT @dea_it := COUNT(*) FROM orders");
        assertThat(queryValue("SELECT @dea_it")).isEqualTo("4");
        queryValue("SELECT LAST_INSERT_ID(42)");
        assertThat(queryValue("SELECT LAST_INSERT_ID()")).isEqualTo("42");
    }

    @Test
    void aSpaceOrBackticksWouldCallAStoredFunctionInsteadOfTheBuiltIn() throws SQLException {
        assertRefused("SELECT count (*) FROM orders");
        assertRefused("SELECT `count`(*) FROM orders");
        createStoredFunction("count");
        try {
            // Connector/J adds IGNORE_SPACE to sql_mode, which makes the space harmless; backticks still are not.
            assertThat(queryValue("SELECT count (id) FROM orders")).isEqualTo("4");
            assertThat(queryValue("SELECT `count`(id) FROM orders")).isEqualTo(String.valueOf(STORED_RESULT));
            // Under the server's default sql_mode, as other clients see it, the space is enough.
            withoutIgnoreSpace(() -> {
                assertThat(queryValue("SELECT count(id) FROM orders")).isEqualTo("4");
                assertThat(queryValue("SELECT count (id) FROM orders")).isEqualTo(String.valueOf(STORED_RESULT));
            });
        } finally {
            execute(connection, "DROP FUNCTION `count`");
        }
        // Even a keyword that a space cannot turn into a name becomes one in backticks.
        assertRefused("SELECT `if`(1)");
        createStoredFunction("if");
        try {
            assertThat(queryValue("SELECT if (1, 2, 3)")).isEqualTo("2");
            assertThat(queryValue("SELECT `if`(1)")).isEqualTo(String.valueOf(STORED_RESULT));
        } finally {
            execute(connection, "DROP FUNCTION `if`");
        }
    }

    /** The guard lets these words stand before a parenthesis: the server must never call a stored function for them. */
    @Test
    void syntaxKeywordsBeforeAParenthesisNeverCallAStoredFunction() throws SQLException {
        Set<String> words = new TreeSet<>(FunctionCalls.SYNTAX_BEFORE_PARENTHESIS);
        List<String> called = new ArrayList<>();
        for (String word : words) {
            createStoredFunction(word);
            try {
                if (withoutIgnoreSpace(() -> callsStoredFunction("SELECT " + word + "(1)"))) {
                    called.add(word);
                }
            } finally {
                execute(connection, "DROP FUNCTION `" + word + "`");
            }
        }
        assertThat(called).as("keywords the server resolved to a stored function").isEmpty();
    }

    /** And these are why some words are exempt only in context: bare, they do call a stored function. */
    @Test
    void contextualKeywordsCallAStoredFunctionOutsideTheirContext() throws SQLException {
        for (String word : FunctionCalls.CONTEXTUAL_SYNTAX) {
            assertRefused("SELECT " + word + "(1)");
            createStoredFunction(word);
            try {
                assertThat(withoutIgnoreSpace(() -> callsStoredFunction("SELECT " + word + "(1)"))).as(word).isTrue();
            } finally {
                execute(connection, "DROP FUNCTION `" + word + "`");
            }
        }
    }

    /** The guard allows these with a space before the parenthesis: the server must still call the built-in. */
    @Test
    void keywordCallsWithASpaceNeverCallAStoredFunction() throws SQLException {
        List<String> called = new ArrayList<>();
        for (String name : new TreeSet<>(BuiltInFunctions.KEYWORD_CALLS)) {
            createStoredFunction(name);
            try {
                if (withoutIgnoreSpace(() -> callsStoredFunction("SELECT " + name + " (1)"))) {
                    called.add(name);
                }
            } finally {
                execute(connection, "DROP FUNCTION `" + name + "`");
            }
        }
        assertThat(called).as("names the server resolved to a stored function despite being keywords").isEmpty();
    }

    @FunctionalInterface
    private interface Query<T> {
        T run() throws SQLException;
    }

    @FunctionalInterface
    private interface Check {
        void run() throws SQLException;
    }

    /** Runs with the server's own sql_mode (no IGNORE_SPACE): the most a stored function can shadow. */
    private <T> T withoutIgnoreSpace(Query<T> query) throws SQLException {
        String mode = queryValue("SELECT @@SESSION.sql_mode");
        execute(connection, "SET SESSION sql_mode = @@GLOBAL.sql_mode");
        try {
            assertThat(queryValue("SELECT @@SESSION.sql_mode")).doesNotContain("IGNORE_SPACE");
            return query.run();
        } finally {
            execute(connection, "SET SESSION sql_mode = '" + mode + "'");
        }
    }

    private void withoutIgnoreSpace(Check check) throws SQLException {
        withoutIgnoreSpace(() -> {
            check.run();
            return null;
        });
    }

    private void assertRefused(String sql) {
        String rule = Optional.ofNullable(rejectedRules.get(sql)).orElse("denied_function");
        MySqlGuardTest.assertRejected(guard, sql, rule);
    }

    private void createStoredFunction(String name) throws SQLException {
        execute(connection, "CREATE FUNCTION `" + name + "`(x INT) RETURNS INT DETERMINISTIC RETURN " + STORED_RESULT);
    }

    /** True when the statement ran the fixture's stored function; a syntax error or a built-in's answer is false. */
    private boolean callsStoredFunction(String sql) {
        try {
            return String.valueOf(STORED_RESULT).equals(queryValue(sql));
        } catch (SQLException e) {
            return String.valueOf(e.getMessage()).contains(database);
        }
    }

    private String queryValue(String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as("a row from %s", sql).isTrue();
            return rs.getString(1);
        }
    }

    private int columnCount(String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.getMetaData().getColumnCount();
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(SERVER + database, "root", "");
    }
}
