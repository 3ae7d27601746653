package dev.dea.sandbox.kubernetes;

import dev.dea.sandbox.SandboxBackend;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The warm pool of started pods, against the mock API server with the test as kubelet. */
class PodPoolIT {
    private FakeCluster cluster;
    private KubernetesSandboxes backend;

    @AfterEach
    void tearDown() {
        if (backend != null) {
            backend.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static KubernetesConfig config(int size, Duration maxIdle, int perInterval) {
        return new KubernetesConfig(PodSpecsTest.sandbox(size), FakeCluster.NS, Optional.empty(), Duration.ofSeconds(30),
                maxIdle, perInterval, Duration.ofSeconds(1));
    }

    private static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(25);
        }
    }

    @Test
    void pooledPodsServeOneExecutionEachAndAnEmptyPoolFallsBackToAColdPod() throws Exception {
        cluster = new FakeCluster(0);
        backend = new KubernetesSandboxes(config(1, KubernetesConfig.DEFAULT_MAX_IDLE, 5), cluster.agentClient(), "owner-a");
        await("a warm pod", Duration.ofSeconds(20), () -> backend.pooled() == 1);

        try (SandboxBackend.Sandbox warm = backend.acquire(); SandboxBackend.Sandbox cold = backend.acquire()) {
            assertThat(warm.fromPool()).isTrue();
            assertThat(cold.fromPool()).isFalse();
            assertThat(warm.id()).isNotEqualTo(cold.id());
            assertThat(KubernetesSandboxesIT.runCode(warm, "import pandas as pd\nresult_df = pd.DataFrame({'w': [1]})")
                    .path("rows").asText()).isEqualTo("[1]\n");
            assertThat(KubernetesSandboxesIT.runCode(cold, "import pandas as pd\nresult_df = pd.DataFrame({'c': [2]})")
                    .path("rows").asText()).isEqualTo("[2]\n");
        }
        // Both used pods are deleted; the pool starts a fresh one for the next request.
        await("the pool to refill", Duration.ofSeconds(20), () -> backend.pooled() == 1);
        assertThat(cluster.sandboxPods()).hasSize(1);
    }

    @Test
    void refillCreatesAtMostTheCapPerIntervalWhileNoPodEverRuns() throws Exception {
        cluster = new FakeCluster(0);
        cluster.mode = FakeCluster.Mode.NONE;
        long t0 = System.nanoTime();
        backend = new KubernetesSandboxes(config(10, KubernetesConfig.DEFAULT_MAX_IDLE, 2), cluster.agentClient(), "owner-a");
        Thread.sleep(1_500);
        int created = cluster.sandboxPods().size();
        double seconds = (System.nanoTime() - t0) / 1e9;
        // A sliding window of 1 s: at most 2 at t=0 and 2 more at t>=1 s, however many are missing.
        assertThat(created).isBetween(2, 2 * ((int) Math.floor(seconds) + 1));
        assertThat(created).isLessThanOrEqualTo(4);
        assertThat(backend.pooled()).isZero();
    }

    @Test
    void aPodThatWaitedLongerThanTheIdleLimitIsReplaced() throws Exception {
        cluster = new FakeCluster(0);
        backend = new KubernetesSandboxes(config(1, Duration.ofSeconds(2), 5), cluster.agentClient(), "owner-a");
        await("a warm pod", Duration.ofSeconds(20), () -> backend.pooled() == 1);
        Set<String> first = names();
        await("a replacement", Duration.ofSeconds(20), () -> backend.pool().recycled() >= 1 && backend.pooled() == 1
                && !names().equals(first));
        assertThat(names()).doesNotContainAnyElementsOf(first).hasSize(1);
    }

    private Set<String> names() {
        return cluster.sandboxPods().stream().map(Pod::getMetadata).map(m -> m.getName()).collect(Collectors.toSet());
    }

    @Test
    void aPooledPodWhoseRunnerDiedWhileWaitingIsNeverHandedOutAndIsReplaced() throws Exception {
        cluster = new FakeCluster(0);
        backend = new KubernetesSandboxes(config(1, KubernetesConfig.DEFAULT_MAX_IDLE, 5), cluster.agentClient(), "owner-a");
        await("a warm pod", Duration.ofSeconds(20), () -> backend.pooled() == 1);
        String dead = names().iterator().next();
        cluster.killRunner(dead);
        await("the dead pod's replacement", Duration.ofSeconds(20),
                () -> backend.pooled() == 1 && !names().contains(dead));
        try (SandboxBackend.Sandbox sandbox = backend.acquire()) {
            assertThat(sandbox.id()).isNotEqualTo(dead);
            assertThat(KubernetesSandboxesIT.runCode(sandbox, "import pandas as pd\nresult_df = pd.DataFrame({'z': [3]})")
                    .path("rows").asText()).isEqualTo("[3]\n");
        }
    }
}
