package dev.dea.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.Main;
import dev.dea.lifecycle.Services;
import dev.dea.config.AgentConfig;
import dev.dea.config.ConfigLoader;
import dev.dea.config.DbConfig;
import io.javalin.Javalin;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * A real agent for end-to-end tests: real PostgreSQL, real HTTP on a free port, a
 * temporary cache directory, wired by the same {@link Main#buildServices} and
 * {@link Main#createApp} as production.
 */
public final class AgentHarness implements AutoCloseable {
    public static final String TOKEN = "test-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path cacheDir;
    private final Services services;
    private final Javalin app;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private AgentHarness(Path cacheDir, Services services, Javalin app) {
        this.cacheDir = cacheDir;
        this.services = services;
        this.app = app;
    }

    public static AgentHarness start(String database) {
        return start(TestPostgres.config(database), Map.of());
    }

    public static AgentHarness start(DbConfig db, Map<String, String> extraEnv) {
        Map<String, String> env = new HashMap<>();
        env.put("DB_DIALECT", db.dialect().id());
        env.put("DB_HOST", db.host());
        env.put("DB_PORT", String.valueOf(db.port()));
        env.put("DB_USER", db.user());
        env.put("DB_PASSWORD", db.password());
        env.put("DB_NAME", db.name());
        if (db.dialect() == dev.dea.config.Dialect.POSTGRESQL) {
            // PostgreSQL-only: refused with DB_DIALECT=mysql.
            env.put("DB_SEARCH_PATH", db.searchPath());
        }
        env.put("DB_SSL_MODE", "disable");
        // The suite logs in as the superuser postgres (TestPostgres.config), refused without this flag.
        env.put("DB_ALLOW_PRIVILEGED_LOGIN", String.valueOf(db.allowPrivilegedLogin()));
        env.putAll(extraEnv);
        return startWith(env);
    }

    /**
     * An agent whose databases come from DATASOURCES_FILE {@code file} (no DB_* variable), with
     * {@code extraEnv} (e.g. the variables its password_env entries name).
     */
    public static AgentHarness startWithDatasources(Path file, Map<String, String> extraEnv) {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("DATASOURCES_FILE", file.toString());
        return startWith(env);
    }

    private static AgentHarness startWith(Map<String, String> extraEnv) {
        try {
            Path cacheDir = Files.createTempDirectory("dea-cache-");
            Map<String, String> env = new HashMap<>();
            env.put("AGENT_SECRET_TOKEN", TOKEN);
            env.put("AGENT_PORT", "0");
            env.put("AGENT_HOST", "127.0.0.1");
            env.put("CACHE_DIR", cacheDir.toString());
            env.put("AUDIT_LOG_PATH", Files.createTempDirectory("dea-audit-").resolve("audit.log").toString());
            // Most tests never run Python: no warm containers unless a test asks for them.
            env.put("SANDBOX_POOL_SIZE", "0");
            // A candidate image (sandbox-image/build-offline.sh with DEA_SANDBOX_IMAGE) is tested before latest moves.
            String image = System.getenv("SANDBOX_IMAGE");
            if (image != null && !image.isBlank()) {
                env.put("SANDBOX_IMAGE", image);
            }
            env.putAll(extraEnv);
            AgentConfig config = ConfigLoader.load(env);
            Services services = Main.buildServices(config);
            Javalin app = Main.createApp(services).start(config.host(), 0);
            return new AgentHarness(cacheDir, services, app);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Services services() {
        return services;
    }

    /** The running Javalin app, e.g. to list the endpoints it registered. */
    public Javalin app() {
        return app;
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /** {@code https://127.0.0.1:<port>} when the agent was started with TLS_* files, else {@code http://...}. */
    public String baseUrl() {
        return services.config().scheme() + "://127.0.0.1:" + app.port();
    }

    public URI uri(String path) {
        return URI.create(baseUrl() + path);
    }

    public record Reply(int status, HttpResponse<String> raw) {
        public JsonNode json() {
            try {
                return JSON.readTree(raw.body());
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + raw.body(), e);
            }
        }

        public String body() {
            return raw.body();
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        public String errorType() {
            return json().path("detail").path("type").asText();
        }
    }

    /** A datasource's status as GET /datasources reports it ("up", "down"). */
    public String datasourceStatus(String name) {
        for (var d : get("/datasources").json().path("datasources")) {
            if (d.path("name").asText().equals(name)) {
                return d.path("status").asText();
            }
        }
        throw new AssertionError("no datasource " + name);
    }

    /** Waits until GET /datasources reports {@code name} with {@code status}; fails after {@code timeout}. */
    public void awaitDatasourceStatus(String name, String status, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!datasourceStatus(name).equals(status)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("datasource " + name + " not " + status + " within " + timeout);
            }
            Thread.sleep(100);
        }
    }

    public Reply get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN).GET().build());
    }

    /** A GET without credentials, with optional header name/value pairs: for the public routes. */
    public Reply getAnonymously(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    public Reply delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN).DELETE().build());
    }

    public Reply post(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public Reply sql(String sql) {
        try {
            return post("/execute", JSON.writeValueAsString(Map.of("language", "sql", "code", sql)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Reply send(HttpRequest request) {
        return send(http, request);
    }

    /** Through {@code client}, e.g. one that trusts a test certificate. */
    public Reply send(HttpClient client, HttpRequest request) {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response);
        } catch (IOException e) {
            throw new IllegalStateException("request failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        app.stop();
        services.close();
        try (var files = Files.walk(cacheDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp dir is harmless
        }
    }
}
