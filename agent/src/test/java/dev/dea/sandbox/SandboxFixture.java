package dev.dea.sandbox;

import dev.dea.cache.FrameCache;
import dev.dea.cache.FrameMeta;
import dev.dea.cache.FrameWriter;
import dev.dea.cache.Provenance;
import dev.dea.config.CacheConfig;
import dev.dea.config.SandboxConfig;
import dev.dea.config.SqlLimits;
import dev.dea.db.Database;
import dev.dea.execute.SqlRunner;
import dev.dea.frame.FrameColumn;
import dev.dea.sql.TestGuards;
import dev.dea.testing.TestPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real everything: a frame cache in a temp dir, the generated fixture in the local PostgreSQL behind the
 * real SQL guard, and the Docker engine with the offline-built image. A missing engine or
 * image fails the run with what to do; it never skips.
 */
final class SandboxFixture implements AutoCloseable {
    /** SANDBOX_IMAGE as the agent reads it, so a candidate image is tested before dea-sandbox:latest moves. */
    static final String IMAGE = System.getenv().getOrDefault("SANDBOX_IMAGE", "dea-sandbox:latest");

    final Path dir;
    final FrameCache cache;
    final Database database;
    final SqlRunner sql;

    SandboxFixture() throws IOException {
        dir = Files.createTempDirectory("dea-sandbox-it");
        cache = new FrameCache(new CacheConfig(dir.resolve("cache"), Duration.ofHours(1), 1L << 30, 64L << 20, 100_000));
        database = new Database(TestPostgres.config(TestPostgres.fixture()), new SqlLimits(Duration.ofSeconds(30),
                Duration.ofSeconds(5), Duration.ofSeconds(60), 10_000, 1_000, 100, Set.of(), Set.of()));
        sql = new SqlRunner(database, TestGuards.guard(), cache);
    }

    /** One database, unaudited: a named datasource is not this fixture's concern (SeveralDatasourcesIT). */
    SqlCallback sqlCallback() {
        return (query, datasource, requestId) -> sql.frame(query, requestId);
    }

    static SandboxConfig config(Duration timeout, int maxConcurrent, int queueSize, Optional<String> runtime) {
        return new SandboxConfig(IMAGE, timeout, 256, 1.0, 64, maxConcurrent, queueSize, 0, runtime,
                4096, 16);
    }

    SandboxService service(SandboxConfig config) {
        SandboxService service = new SandboxService(config, cache);
        SandboxStatus status = service.status();
        assertThat(status.reason()).as("the sandbox backend must be usable for these tests (CI runs "
                + "sandbox-image/setup-docker.sh and build-offline.sh)").isEmpty();
        assertThat(status.usable()).isTrue();
        return service;
    }

    FrameMeta frame(List<FrameColumn> columns, List<Object[]> rows) {
        try (FrameWriter w = cache.create(columns, Provenance.sql("test", Optional.empty()))) {
            rows.forEach(w::append);
            return w.commit();
        }
    }

    /** Containers of {@code service} that still exist, in any state. */
    static long containersOf(SandboxService service, SandboxConfig config) {
        try (DockerEngine engine = new DockerEngine(config, "probe", "probe")) {
            return engine.listLabelled().stream()
                    .filter(c -> service.instanceId().equals(c.getLabels().get(DockerEngine.INSTANCE_LABEL)))
                    .count();
        }
    }

    /** Waits until {@code service} has exactly {@code expected} containers; fails with the last count. */
    static void awaitContainers(SandboxService service, SandboxConfig config, long expected, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        long n;
        while ((n = containersOf(service, config)) != expected && System.nanoTime() < deadline) {
            sleep(100);
        }
        assertThat(n).as("containers of the service").isEqualTo(expected);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() throws IOException {
        cache.close();
        database.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
