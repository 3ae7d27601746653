package dev.dea.sandbox;

import com.github.dockerjava.api.model.Container;
import dev.dea.config.SandboxConfig;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real restart of the Docker engine (dockerd, as sandbox-image/setup-docker.sh starts it)
 * with steps running and a warm container pooled: the steps end with an error instead of
 * hanging, and once the engine is back the agent reaps what the restart left behind without
 * being restarted itself. Needs root (it signals dockerd); the engine is always started
 * again in a finally block so later tests find it.
 */
class EngineRestartIT {
    private static final Duration SLEEP = Duration.ofSeconds(45);
    private static SandboxFixture fixture;

    @BeforeAll
    static void start() throws IOException {
        assertThat(ProcessHandle.current().info().user().orElse("")).as("restarting dockerd needs root").isEqualTo("root");
        fixture = new SandboxFixture();
    }

    @AfterAll
    static void stop() throws IOException {
        fixture.close();
    }

    @Test
    void stepsInFlightEndWithAnErrorAndLeftoversAreReapedWhenTheEngineIsBack() throws Exception {
        SandboxConfig config = new SandboxConfig(SandboxFixture.IMAGE, Duration.ofSeconds(90), 256, 1.0, 64, 2, 2, 1,
                Optional.empty(), 4096, 16);
        try (SandboxService service = fixture.service(config)) {
            await(() -> service.pooledIds().size() == 1, Duration.ofSeconds(60), "a warm container");
            List<CompletableFuture<Object>> steps = List.of(step(service), step(service));
            await(() -> service.load().running() == 2, Duration.ofSeconds(30), "two running steps");
            SandboxFixture.sleep(3_000);   // both runners are in time.sleep now
            long restarted = System.nanoTime();
            try {
                stopDockerd();
            } finally {
                ensureDockerd();
            }
            for (CompletableFuture<Object> s : steps) {
                Object outcome = s.get(SLEEP.toSeconds(), TimeUnit.SECONDS);
                assertThat(outcome).as("a step whose engine restarted").isInstanceOfSatisfying(AgentException.class,
                        e -> assertThat(e.type()).isEqualTo(ErrorType.SANDBOX_UNAVAILABLE));
            }
            assertThat(Duration.ofNanos(System.nanoTime() - restarted)).as("the steps ended with the restart, "
                    + "not with their code").isLessThan(SLEEP);
            // No container of this agent but the pool's fresh one, without the agent being restarted.
            awaitNoStrays(service, Duration.ofSeconds(60));
            SandboxOutcome after = service.execute(new SandboxJob("result_df = 42", Map.of(), Optional.empty()));
            assertThat(after.frame().rowCount()).isEqualTo(1);
            awaitNoStrays(service, Duration.ofSeconds(30));
        } finally {
            ensureDockerd();
        }
    }

    private static CompletableFuture<Object> step(SandboxService service) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(service.execute(new SandboxJob("import time\ntime.sleep(" + SLEEP.toSeconds()
                        + ")\nresult_df = 1", Map.of(), Optional.empty())));
            } catch (RuntimeException e) {
                f.complete(e);
            }
        });
        return f;
    }

    /** Containers with this agent's owner label other than the idle pooled ones. */
    private static List<String> strays(SandboxService service) {
        String owner = SandboxBackend.ownerOf(fixture.cache.directory());
        List<String> pooled = service.pooledIds();
        try (DockerEngine engine = new DockerEngine(SandboxFixture.config(Duration.ofSeconds(5), 1, 0, Optional.empty()),
                "probe", "probe")) {
            return engine.listLabelled().stream()
                    .filter(c -> owner.equals(c.getLabels().get(DockerEngine.OWNER_LABEL)))
                    .filter(c -> !pooled.contains(c.getId()))
                    .map(c -> c.getId().substring(0, 12) + " (" + c.getStatus() + ")").toList();
        } catch (AgentException e) {
            return List.of("engine not reachable: " + e.getMessage());
        }
    }

    private static Optional<ProcessHandle> dockerd() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/dockerd")).orElse(false))
                .findFirst();
    }

    private static void stopDockerd() throws InterruptedException, ExecutionException {
        ProcessHandle d = dockerd().orElseThrow(() -> new AssertionError("no dockerd process to restart"));
        d.destroy();   // SIGTERM: dockerd stops its containers and its containerd, as on a service restart
        try {
            d.onExit().get(90, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("dockerd did not stop within 90 s of SIGTERM");
        }
    }

    /** Starts dockerd the way sandbox-image/setup-docker.sh does, unless the engine answers, and waits for it. */
    static void ensureDockerd() throws IOException, InterruptedException {
        if (dockerInfo()) {
            return;
        }
        if (dockerd().isEmpty()) {
            new ProcessBuilder("bash", "-c", "nohup setsid dockerd >>/var/log/dockerd.log 2>&1 </dev/null &")
                    .inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!dockerInfo()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("dockerd did not come back within 90 s; see /var/log/dockerd.log");
            }
            Thread.sleep(500);
        }
    }

    private static boolean dockerInfo() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("docker", "info").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }

    private static void awaitNoStrays(SandboxService service, Duration limit) {
        var last = new java.util.concurrent.atomic.AtomicReference<List<String>>(List.of());
        await(() -> last.updateAndGet(previous -> strays(service)).isEmpty(), limit, "no leftover containers",
                () -> "; still there: " + last.get() + ", reap pending: " + service.reapPending());
    }

    private static void await(java.util.function.BooleanSupplier condition, Duration limit, String what) {
        await(condition, limit, what, () -> "");
    }

    private static void await(java.util.function.BooleanSupplier condition, Duration limit, String what,
                              java.util.function.Supplier<String> diagnosis) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + limit.toSeconds() + " s for " + what + diagnosis.get());
            }
            SandboxFixture.sleep(200);
        }
    }
}
