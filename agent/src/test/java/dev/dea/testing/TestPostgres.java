package dev.dea.testing;

import dev.dea.config.DbConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
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
import java.util.concurrent.TimeUnit;

/**
 * The real PostgreSQL the integration tests run against: the machine's service at
 * TEST_PG_HOST:TEST_PG_PORT (default 127.0.0.1:5432, user postgres, TEST_PG_PASSWORD). Pagila and
 * Chinook are loaded from ../shared/datasets with psql, once per content version (a
 * database comment records the scripts' hash), under an advisory lock so parallel
 * runs on one machine do not collide. An unreachable server fails the test run: it
 * never skips.
 */
public final class TestPostgres {
    public static final String PAGILA = "dea_it_pagila";
    public static final String CHINOOK = "dea_it_chinook";

    private static final String HOST = env("TEST_PG_HOST", "127.0.0.1");
    private static final int PORT = Integer.parseInt(env("TEST_PG_PORT", "5432"));
    private static final String USER = env("TEST_PG_USER", "postgres");
    /**
     * Sent on every connection though the machine's PostgreSQL trusts loopback (any password
     * connects): a distinctive value that .ci/scan-logs.sh looks for in every log of the run.
     */
    static final String DEFAULT_PASSWORD = "pg-secret-never-logged-7f3a";
    private static final String PASSWORD = env("TEST_PG_PASSWORD", DEFAULT_PASSWORD);

    private TestPostgres() {
    }

    /** As the superuser the suite logs in as: accepted only because the tests say so explicitly. */
    public static DbConfig config(String database) {
        // The suite logs in as the superuser postgres, which the agent refuses without DB_ALLOW_PRIVILEGED_LOGIN.
        return new DbConfig("postgresql", HOST, PORT, USER, PASSWORD, database, "disable", Optional.empty(), "public", 8,
                true);
    }

    /**
     * A new login made by running docs/readonly-role.sql in {@code database} (its role name made unique,
     * since roles are cluster-wide): what an operator is told to create, without
     * DB_ALLOW_PRIVILEGED_LOGIN. Drop it with {@link #dropLogin} after dropping the database.
     */
    public static DbConfig leastPrivilegeLogin(String database) {
        String role = "dea_it_agent_" + Long.toHexString(System.nanoTime());
        String password = "pw-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        String script;
        try {
            script = Files.readString(Path.of("../docs/readonly-role.sql"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("docs/readonly-role.sql not found from " + Path.of("").toAbsolutePath(), e);
        }
        StringBuilder sql = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                sql.append(line).append('\n');
            }
        }
        // psql's variables, as `psql -v agent_password=... -d <database>` would fill them in.
        String statements = sql.toString().replace("dea_agent", role)
                .replace(":'agent_password'", "'" + password + "'")
                .replace(":\"DBNAME\"", "\"" + database + "\"");
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            for (String statement : statements.split(";")) {
                if (!statement.isBlank()) {
                    s.execute(statement);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("docs/readonly-role.sql failed in " + database + ": " + e.getMessage(), e);
        }
        return new DbConfig("postgresql", HOST, PORT, role, password, database, "disable", Optional.empty(), "public", 8,
                false);
    }

    /** Drops a login of {@link #leastPrivilegeLogin}, with whatever it was granted in its database, if it still exists. */
    public static void dropLogin(DbConfig login) {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            boolean databaseLeft;
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + login.name() + "'")) {
                databaseLeft = rs.next();
            }
            if (databaseLeft) {
                try (Connection db = connect(login.name()); Statement d = db.createStatement()) {
                    d.execute("DROP OWNED BY " + login.user());
                }
            }
            s.execute("DROP ROLE IF EXISTS " + login.user());
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop the login " + login.user() + ": " + e.getMessage(), e);
        }
    }

    public static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/" + database, USER, PASSWORD);
    }

    public static Path sharedDir() {
        String configured = System.getProperty("dea.shared.dir");
        Path p = configured != null ? Path.of(configured) : Path.of("../../shared");
        if (!Files.isDirectory(p.resolve("datasets"))) {
            throw new IllegalStateException("../shared/datasets not found at " + p.toAbsolutePath()
                    + "; the integration tests need the shared datasets beside the repository");
        }
        return p;
    }

    /** Pagila (schema + data), loaded once; returns the database name. */
    public static synchronized String pagila() {
        Path dir = sharedDir().resolve("datasets/pagila");
        ensureLoaded(PAGILA, List.of(dir.resolve("pagila-schema.sql"), dir.resolve("pagila-data.sql")), false);
        return PAGILA;
    }

    /** Chinook, loaded once (its own DROP/CREATE DATABASE and \c lines are skipped). */
    public static synchronized String chinook() {
        ensureLoaded(CHINOOK, List.of(sharedDir().resolve("datasets/chinook/Chinook_PostgreSql.sql")), true);
        return CHINOOK;
    }

    /** A new, empty database for tests that create their own tables; the caller drops it with {@link #drop}. */
    public static String freshDatabase(String prefix) {
        String name = (prefix + "_" + Long.toHexString(System.nanoTime())).toLowerCase();
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + name + ": " + e.getMessage(), e);
        }
        return name;
    }

    public static void drop(String database) {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop " + database + ": " + e.getMessage(), e);
        }
    }

    private static void ensureLoaded(String database, List<Path> scripts, boolean skipDatabaseSwitching) {
        String version = "dea-fixture:" + hash(scripts);
        try (Connection admin = connect("postgres")) {
            try (Statement s = admin.createStatement()) {
                s.execute("SELECT pg_advisory_lock(hashtext('dea-test-fixture'))");
            }
            try {
                if (version.equals(comment(admin, database))) {
                    return;
                }
                try (Statement s = admin.createStatement()) {
                    s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
                    s.execute("CREATE DATABASE " + database);
                }
                for (Path script : scripts) {
                    runPsql(database, script, skipDatabaseSwitching);
                }
                try (Statement s = admin.createStatement()) {
                    s.execute("COMMENT ON DATABASE " + database + " IS '" + version + "'");
                }
            } finally {
                try (Statement s = admin.createStatement()) {
                    s.execute("SELECT pg_advisory_unlock(hashtext('dea-test-fixture'))");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + HOST + ":" + PORT + " is needed by the integration tests: "
                    + e.getMessage(), e);
        }
    }

    private static String comment(Connection admin, String database) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static void runPsql(String database, Path script, boolean skipDatabaseSwitching) {
        List<String> cmd = new ArrayList<>(List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "-h", HOST, "-p", String.valueOf(PORT), "-U", USER, "-d", database));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("PGPASSWORD", PASSWORD);
            pb.environment().put("PGOPTIONS", "-c client_min_messages=warning");
            Process p = pb.start();
            Thread feeder = Thread.ofVirtual().start(() -> feed(p.getOutputStream(), script, skipDatabaseSwitching));
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("psql failed loading " + script + " into " + database + ":\n"
                        + new String(output, StandardCharsets.UTF_8));
            }
            feeder.join();
        } catch (IOException e) {
            throw new IllegalStateException("psql is needed to load " + script + " (apt-get install postgresql-client): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void feed(OutputStream out, Path script, boolean skipDatabaseSwitching) {
        try (out; InputStream in = Files.newInputStream(script)) {
            if (!skipDatabaseSwitching) {
                in.transferTo(out);
                return;
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)) {
                String l = line.strip();
                if (l.startsWith("DROP DATABASE") || l.startsWith("CREATE DATABASE") || l.startsWith("\\c ")) {
                    continue;
                }
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // psql reports the truncated script as its own failure.
        }
    }

    private static String hash(List<Path> scripts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path p : scripts) {
                md.update(Files.readAllBytes(p));
            }
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read dataset scripts: " + e.getMessage(), e);
        }
    }

    private static String env(String key, String def) {
        String v = System.getenv(key);
        return v == null || v.isBlank() ? def : v;
    }
}
