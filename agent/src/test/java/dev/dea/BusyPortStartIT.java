package dev.dea;

import dev.dea.config.DbConfig;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent's real start-up, {@code Main} in a JVM of its own as {@code java -jar agent.jar}
 * runs it, on a port a plain socket already holds: one line naming AGENT_PORT and the
 * holder, no stack trace, exit code 1, and before any service is built. The classes come
 * from this test's class path rather than {@code agent/target/agent.jar}, which the test
 * phase runs before packaging: a fresh checkout has no jar yet, and a stale one would test
 * old code.
 */
class BusyPortStartIT {
    private static String database;

    @TempDir
    Path tmp;

    @BeforeAll
    static void createDatabase() throws SQLException {
        database = TestPostgres.freshDatabase("dea_busy_port");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        TestPostgres.drop(database);
    }

    private record Run(int code, String output, long millis) {
    }

    private Run startAgent(int port) throws IOException, InterruptedException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", classPath, Main.class.getName())
                .directory(tmp.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("DB_") || k.startsWith("AGENT_") || k.equals("LOG_FORMAT"));
        DbConfig pg = TestPostgres.config(database);
        env.putAll(Map.of("DB_HOST", pg.host(), "DB_PORT", Integer.toString(pg.port()), "DB_USER", pg.user(),
                "DB_PASSWORD", pg.password(), "DB_NAME", database, "DB_SSL_MODE", "disable",
                "DB_ALLOW_PRIVILEGED_LOGIN", "true",
                "AGENT_SECRET_TOKEN", "busy-port-test-token-0123456789", "AGENT_HOST", "127.0.0.1",
                "AGENT_PORT", Integer.toString(port)));
        env.put("CACHE_DIR", tmp.resolve("cache").toString());
        env.put("AUDIT_LOG_PATH", tmp.resolve("audit/audit.log").toString());
        long started = System.nanoTime();
        Process agent = pb.start();
        // Bounded: a start-up that got past the port would run until killed.
        boolean exited = agent.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = new String(agent.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(exited).as("the agent exited by itself; output:\n%s", output).isTrue();
        return new Run(agent.exitValue(), output, (System.nanoTime() - started) / 1_000_000);
    }

    @Test
    void aBusyPortStopsTheStartWithOneLineNamingAgentPortAndItsHolder() throws IOException, InterruptedException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Run run = startAgent(port);
            assertThat(run.code()).isEqualTo(1);
            List<String> lines = run.output().lines().filter(l -> !l.isBlank()).toList();
            assertThat(lines).as(run.output()).hasSize(1);
            assertThat(lines.getFirst())
                    .startsWith("error: AGENT_PORT " + port + " is already in use on 127.0.0.1 by ")
                    // This test's JVM holds the socket, and /proc shows a user its own processes.
                    .contains("(pid " + ProcessHandle.current().pid() + ")")
                    .contains("set AGENT_PORT to a free port");
            assertThat(run.output()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("\"stack\"");
            // Found before the pool, the cache and the sandbox were built: nothing of theirs was created.
            assertThat(tmp.resolve("cache")).doesNotExist();
            assertThat(Files.exists(tmp.resolve("audit"))).isFalse();
        }
    }
}
