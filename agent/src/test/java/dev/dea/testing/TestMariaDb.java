package dev.dea.testing;

import dev.dea.config.DbConfig;
import dev.dea.config.Dialect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The real MariaDB (or MySQL) the integration tests run against: the machine's service at
 * TEST_MARIADB_HOST:TEST_MARIADB_PORT (default 127.0.0.1:3306, user root, empty password;
 * agent/test-setup.sh starts it). Chinook serves only the dataset conformance tests
 * ({@link TestPostgres#DATASETS_TAG}), loaded once per content version with the {@code mariadb}
 * client under a server lock so parallel runs do not collide. An unreachable server fails the
 * test: it never skips.
 */
public final class TestMariaDb {
    public static final String CHINOOK = "dea_it_chinook";

    private static final String HOST = System.getenv().getOrDefault("TEST_MARIADB_HOST", "127.0.0.1");
    private static final int PORT = Integer.parseInt(System.getenv().getOrDefault("TEST_MARIADB_PORT", "3306"));
    private static final String USER = System.getenv().getOrDefault("TEST_MARIADB_USER", "root");
    private static final String PASSWORD = System.getenv().getOrDefault("TEST_MARIADB_PASSWORD", "");

    private TestMariaDb() {
    }

    /** As root, which the agent refuses without allow_privileged_login: accepted only because the tests say so. */
    public static DbConfig config(String database) {
        return new DbConfig(Dialect.MYSQL, HOST, PORT, USER, PASSWORD, database, "disable", Optional.empty(), database, 8,
                true);
    }

    /** A connection as the suite's administrative login; {@code database} may be empty for none. */
    public static Connection connect(String database) throws SQLException {
        try {
            return DriverManager.getConnection("jdbc:mariadb://" + HOST + ":" + PORT + "/" + database, USER, PASSWORD);
        } catch (SQLException e) {
            throw new SQLException("MariaDB at " + HOST + ":" + PORT + " is needed by the integration tests "
                    + "(agent/test-setup.sh starts it): " + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
        }
    }

    /** A new, empty database for tests that create their own tables; the caller drops it with {@link #drop}. */
    public static String freshDatabase(String prefix) {
        String name = (prefix + "_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt())).toLowerCase();
        execute("", "CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        return name;
    }

    public static void drop(String database) {
        execute("", "DROP DATABASE IF EXISTS `" + database + "`");
    }

    /** Runs {@code sql} (one statement) in {@code database}. */
    public static void execute(String database, String sql) {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("MariaDB: " + e.getMessage() + " in: " + sql, e);
        }
    }

    /**
     * Runs a test resource's SQL script (statements end with ";" at a line's end, "--" lines are
     * comments) in {@code database} on one connection, so that its session settings hold throughout.
     */
    public static void runScript(String database, String resource) {
        String script;
        try (var in = TestMariaDb.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + resource);
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            for (String statement : script.split(";\n")) {
                String sql = statement.replaceAll("(?m)^--.*$", "").strip();
                if (!sql.isEmpty()) {
                    s.execute(sql);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("MariaDB: " + e.getMessage() + " in " + resource, e);
        }
    }

    /** Chinook's MySQL script from the datasets folder, loaded once into {@link #CHINOOK}; returns its name. */
    public static synchronized String chinook() {
        Path script = TestPostgres.datasetsDir().resolve("chinook/Chinook_MySql.sql");
        String text;
        try {
            text = Files.readString(script, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + script + ": " + e.getMessage(), e);
        }
        // The script creates and switches to `Chinook` itself; it is loaded under the suite's own name.
        String renamed = text.replace("`Chinook`", "`" + CHINOOK + "`");
        String version = "dea-fixture:" + TestPostgres.hash(List.of(renamed.getBytes(StandardCharsets.UTF_8)));
        try (Connection admin = connect("")) {
            try (Statement s = admin.createStatement()) {
                s.execute("SELECT GET_LOCK('dea-test-fixture', 600)");
            }
            try {
                if (!version.equals(comment(admin))) {
                    runClient(renamed);
                    try (Statement s = admin.createStatement()) {
                        s.execute("CREATE TABLE IF NOT EXISTS `" + CHINOOK + "`.dea_fixture_version (v VARCHAR(200))");
                        s.execute("DELETE FROM `" + CHINOOK + "`.dea_fixture_version");
                        s.execute("INSERT INTO `" + CHINOOK + "`.dea_fixture_version VALUES ('" + version + "')");
                    }
                }
            } finally {
                try (Statement s = admin.createStatement()) {
                    s.execute("SELECT RELEASE_LOCK('dea-test-fixture')");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return CHINOOK;
    }

    /** The version marker of a loaded Chinook, or null. Its table is left out of the conformance counts by name. */
    private static String comment(Connection admin) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = 'dea_fixture_version'")) {
            ps.setString(1, CHINOOK);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
            }
        }
        try (Statement s = admin.createStatement();
             ResultSet rs = s.executeQuery("SELECT v FROM `" + CHINOOK + "`.dea_fixture_version")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void runClient(String script) {
        List<String> cmd = new ArrayList<>(List.of("mariadb", "--batch", "-h", HOST, "-P", String.valueOf(PORT), "-u", USER));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("MYSQL_PWD", PASSWORD);
            Process p = pb.start();
            Thread feeder = Thread.ofVirtual().start(() -> {
                try (var out = p.getOutputStream()) {
                    out.write(script.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // The client reports the truncated script as its own failure.
                }
            });
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("the mariadb client failed loading Chinook:\n" + new String(output, StandardCharsets.UTF_8));
            }
            feeder.join();
        } catch (IOException e) {
            throw new IllegalStateException("the mariadb client is needed to load Chinook: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
