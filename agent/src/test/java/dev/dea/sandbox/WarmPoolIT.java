package dev.dea.sandbox;

import com.github.dockerjava.api.exception.NotFoundException;
import dev.dea.config.SandboxConfig;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The warm pool against the real engine and image: filling, one-use containers, dead and idle ones, close. */
class WarmPoolIT {
    /** Starting a container is ~1 s alone; generous for a CI host running other Docker tests. */
    private static final Duration FILL_LIMIT = Duration.ofSeconds(90);
    private static SandboxFixture fixture;
    private static SandboxConfig config;
    private static SandboxService service;

    @BeforeAll
    static void start() throws Exception {
        fixture = new SandboxFixture();
        config = withPool(SandboxFixture.config(Duration.ofSeconds(20), 4, 4, Optional.empty()), 2);
        service = fixture.service(config);
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
        service.close();   // idempotent
        assertThat(SandboxFixture.containersOf(service, config)).as("containers after close()").isZero();
        assertThat(service.status().pooled()).isZero();
        fixture.close();
    }

    @BeforeEach
    void poolIsFull() {
        await("the pool fills to its size", () -> service.status().pooled() == 2);
    }

    static SandboxConfig withPool(SandboxConfig c, int poolSize) {
        return new SandboxConfig(c.image(), c.timeout(), c.memoryMb(), c.cpus(), c.pidsLimit(), c.maxConcurrent(),
                c.queueSize(), poolSize, c.runtime(), c.outputLimitBytes(), c.tmpfsMb());
    }

    private static SandboxOutcome run(SandboxService s, String code) {
        return s.execute(new SandboxJob(code, Map.of(), Optional.empty()));
    }

    @Test
    void anotherAgentOnTheSameEngineLeavesThisOnesContainersAlone() throws Exception {
        List<String> pooledBefore = service.pooledIds();
        // A second agent = another cache directory; at start it reaps only its own predecessor's containers.
        java.nio.file.Path otherDir = java.nio.file.Files.createTempDirectory("dea-other-agent");
        try (var otherCache = new dev.dea.cache.FrameCache(new dev.dea.config.CacheConfig(otherDir, Duration.ofHours(1), 1L << 30, 1L << 20, 100_000));
             SandboxService other = new SandboxService(withPool(config, 0), otherCache)) {
            assertThat(other.status().usable()).isTrue();
            for (String id : pooledBefore) {
                assertThat(exists(id)).as("pooled container " + id + " survives another agent's start").isTrue();
            }
        }
        assertThat(run(service, "result_df = 2").frame().rowCount()).isEqualTo(1);
    }

    @Test
    void servesFromThePoolThenRemovesAndRefills() {
        List<String> pooledBefore = service.pooledIds();
        long servedBefore = service.poolStats().servedFromPool();
        long requested = System.nanoTime();
        assertThat(run(service, "result_df = 1").frame().rowCount()).isEqualTo(1);
        SandboxService.Served served = service.lastServed();
        assertThat(served.fromPool()).isTrue();
        assertThat(served.containerId()).isIn(pooledBefore);
        assertThat(served.readyAtNanos()).as("the runner was ready before the request").isLessThan(requested);
        assertThat(service.poolStats().servedFromPool()).isEqualTo(servedBefore + 1);
        await("the used container is removed", () -> !exists(served.containerId()));
        await("the pool refills", () -> service.status().pooled() == 2);
        assertThat(service.pooledIds()).doesNotContain(served.containerId());
        SandboxFixture.awaitContainers(service, config, 2, Duration.ofSeconds(15));
    }

    @Test
    void theReplacementStartsOnceTheStepThatTookAContainerHasEnded() throws Exception {
        SandboxFixture.awaitContainers(service, config, 2, FILL_LIMIT);   // earlier tests' used ones are gone
        CompletableFuture<SandboxOutcome> step = CompletableFuture.supplyAsync(
                () -> run(service, "import time\ntime.sleep(0.8)\nresult_df = 5"));
        await("the step takes a pooled container", () -> service.status().pooled() == 1);
        SandboxFixture.sleep(300);
        assertThat(SandboxFixture.containersOf(service, config))
                .as("the pooled one and the step's: no replacement competes with the step for the CPU").isEqualTo(2);
        assertThat(step.get(30, TimeUnit.SECONDS).frame().rowCount()).isEqualTo(1);
        await("the pool refills after the step", () -> service.status().pooled() == 2);
    }

    @Test
    void aLongStepHoldsTheRefillBackForTwoSecondsAtMost() throws Exception {
        SandboxFixture.awaitContainers(service, config, 2, FILL_LIMIT);
        CompletableFuture<SandboxOutcome> step = CompletableFuture.supplyAsync(
                () -> run(service, "import time\ntime.sleep(8)\nresult_df = 6"));
        await("the step takes a pooled container", () -> service.status().pooled() == 1);
        long taken = System.nanoTime();
        await("a replacement starts while the step runs", () -> SandboxFixture.containersOf(service, config) == 3);
        assertThat(Duration.ofNanos(System.nanoTime() - taken)).isGreaterThanOrEqualTo(Duration.ofMillis(1_700));
        assertThat(step).as("the step still runs").isNotDone();
        assertThat(step.get(30, TimeUnit.SECONDS).frame().rowCount()).isEqualTo(1);
    }

    @Test
    void consecutiveExecutionsNeverShareAContainer() {
        run(service, "open('/tmp/left-behind', 'w').write('secret')\nresult_df = 1");
        String first = service.lastServed().containerId();
        await("a pooled container is ready again", () -> service.status().pooled() > 0);
        SandboxOutcome second = run(service, "import os\nresult_df = pd.DataFrame({'seen': [os.path.exists('/tmp/left-behind')]})");
        assertThat(service.lastServed().containerId()).isNotEqualTo(first);
        assertThat(fixture.cache.previewRows(second.frame().key(), 1).get(0).toString()).isEqualTo("[false]");
    }

    @Test
    void pooledContainersAreHardenedAndKeepNoLogOfTheirOutput() {
        try (DockerEngine docker = new DockerEngine(config, "probe", "probe")) {
            for (String id : service.pooledIds()) {
                var host = docker.call("inspect container", c -> c.inspectContainerCmd(id).exec()).getHostConfig();
                assertThat(host.getNetworkMode()).isEqualTo("none");
                assertThat(host.getReadonlyRootfs()).isTrue();
                assertThat(host.getCapDrop()).extracting(Enum::name).containsExactly("ALL");
                assertThat(host.getSecurityOpts()).containsExactly("no-new-privileges");
                // Results and printed data pass through stdout: no driver may copy them to disk or elsewhere.
                assertThat(host.getLogConfig().getType().getType()).isEqualTo("none");
            }
        }
    }

    @Test
    void aPooledContainerKilledWhileIdleIsReplaced() {
        List<String> killed = service.pooledIds();
        try (DockerEngine docker = new DockerEngine(config, "probe", "probe")) {
            for (String id : killed) {
                docker.call("kill container", c -> c.killContainerCmd(id).exec());
            }
        }
        assertThat(run(service, "result_df = 2").frame().rowCount()).isEqualTo(1);
        assertThat(service.lastServed().containerId()).isNotIn(killed);
        await("the dead containers are removed", () -> killed.stream().noneMatch(WarmPoolIT::exists));
        await("the pool refills", () -> service.status().pooled() == 2);
        assertThat(service.pooledIds()).doesNotContainAnyElementsOf(killed);
        assertThat(service.poolStats().replacedDead()).isGreaterThanOrEqualTo(killed.size());
    }

    @Test
    void idleContainersAreRecycled() throws Exception {
        try (SandboxService shortIdle = new SandboxService(withPool(config, 1), fixture.cache,
                Duration.ofSeconds(2))) {
            await("the pool fills", () -> shortIdle.status().pooled() == 1);
            String first = shortIdle.pooledIds().get(0);
            await("the idle container is replaced", () -> shortIdle.poolStats().recycledIdle() >= 1
                    && shortIdle.status().pooled() == 1 && !shortIdle.pooledIds().contains(first));
            await("the recycled container is removed", () -> !exists(first));
            assertThat(run(shortIdle, "result_df = 3").frame().rowCount()).isEqualTo(1);
            shortIdle.close();
            assertThat(SandboxFixture.containersOf(shortIdle, config)).isZero();
        }
    }

    @Test
    void poolSizeZeroStartsAContainerPerRequest() throws Exception {
        SandboxConfig cold = withPool(config, 0);
        try (SandboxService noPool = fixture.service(cold)) {
            assertThat(run(noPool, "result_df = 4").frame().rowCount()).isEqualTo(1);
            assertThat(noPool.lastServed().fromPool()).isFalse();
            assertThat(noPool.poolStats().servedCold()).isEqualTo(1);
            assertThat(noPool.status().pooled()).isZero();
            SandboxFixture.awaitContainers(noPool, cold, 0, Duration.ofSeconds(15));
        }
    }

    @Test
    void withoutTheImageThePoolStaysEmptyAndRequestsSayWhy() throws Exception {
        SandboxConfig missing = new SandboxConfig("dea-sandbox:no-such-tag", config.timeout(), 256, 1.0, 64, 1, 0, 2,
                Optional.empty(), 4096, 16);
        try (SandboxService broken = new SandboxService(missing, fixture.cache)) {
            SandboxFixture.sleep(1_500);   // the refill thread has tried (and backs off)
            SandboxStatus status = broken.status();
            assertThat(status.pooled()).isZero();
            assertThat(status.reason()).hasValueSatisfying(r -> assertThat(r).contains("build-offline.sh"));
            AgentException e = catchThrowableOfType(AgentException.class, () -> run(broken, "result_df = 1"));
            assertThat(e.type()).isEqualTo(ErrorType.SANDBOX_UNAVAILABLE);
            assertThat(e.getMessage()).contains("build-offline.sh");
        }
    }

    private static boolean exists(String id) {
        try (DockerEngine docker = new DockerEngine(config, "probe", "probe")) {
            docker.state(id);
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + FILL_LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("timed out waiting: " + what).isLessThan(deadline);
            SandboxFixture.sleep(100);
        }
    }
}
