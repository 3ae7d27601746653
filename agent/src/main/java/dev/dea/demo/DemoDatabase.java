package dev.dea.demo;

import dev.dea.config.DbConfig;
import dev.dea.config.Dialect;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The quick start's database: a real PostgreSQL started from the embedded binaries,
 * filled with a generated shop dataset (customers, products, orders, order items)
 * that exercises the types the agent must handle: enums, numeric, dates, timestamptz,
 * booleans, jsonb, text[] and NULLs. The agent logs in as a least-privilege role that may only
 * read, as docs/readonly-role.sql recommends for a client's database: the embedded server's
 * superuser only creates the database.
 */
public final class DemoDatabase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DemoDatabase.class);
    static final String DATABASE = "demo";
    static final String READER = "dea_reader";

    private final EmbeddedPostgres postgres;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DemoDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static DemoDatabase start() {
        long started = System.nanoTime();
        EmbeddedPostgres pg;
        try {
            pg = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "50")
                    .setServerConfig("timezone", "UTC")
                    .setOutputRedirector(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("The embedded demo PostgreSQL did not start: " + e.getMessage()
                    + ". Set DB_HOST, DB_USER, DB_NAME (and DB_PASSWORD) to use your own database instead.", e);
        }
        DemoDatabase demo = new DemoDatabase(pg);
        try {
            demo.load();
        } catch (RuntimeException e) {
            demo.close();
            throw e;
        }
        log.info("Embedded demo PostgreSQL ready on port {} in {} ms", pg.getPort(), (System.nanoTime() - started) / 1_000_000);
        return demo;
    }

    private void load() {
        try (Connection admin = postgres.getPostgresDatabase().getConnection(); Statement s = admin.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create the demo database: " + e.getMessage(), e);
        }
        try (Connection c = postgres.getDatabase("postgres", DATABASE).getConnection(); Statement s = c.createStatement()) {
            s.execute(resource("demo-dataset.sql"));
        } catch (SQLException e) {
            throw new IllegalStateException("Could not generate the demo dataset: " + e.getMessage(), e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = DemoDatabase.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + name + " in the agent jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read resource " + name, e);
        }
    }

    /** Connection settings for the agent: the read-only role logs in (the agent refuses a superuser). */
    public DbConfig dbConfig() {
        return new DbConfig(Dialect.POSTGRESQL, "127.0.0.1", postgres.getPort(), READER, "", DATABASE, "disable",
                Optional.of(READER), "public", 10);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                postgres.close();
                log.info("Embedded demo PostgreSQL stopped");
            } catch (IOException e) {
                log.warn("Stopping the embedded demo PostgreSQL failed: {}", e.getMessage());
            }
        }
    }
}
