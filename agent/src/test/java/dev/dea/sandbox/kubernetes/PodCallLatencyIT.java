package dev.dea.sandbox.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measures the API calls of one sandbox step (create, wait Running, attach + ready, one
 * execute round trip, delete) against the mock API server, for docs/kubernetes.md's
 * "Running at scale". Loopback, a bounded number of cycles; the numbers are the client's and
 * the stand-in's, not a real control plane's, and the runner's start is a local process.
 */
class PodCallLatencyIT {
    private static final int CYCLES = 5;

    @Test
    void oneSandboxStepsApiCallsAreMeasuredAndEveryCycleCompletes() throws Exception {
        try (FakeCluster cluster = new FakeCluster(0); KubernetesClient client = cluster.agentClient()) {
            KubernetesConfig config = KubernetesSandboxesIT.config(0, java.time.Duration.ofSeconds(30));
            String[] steps = {"create", "running", "attach+ready", "execute", "delete"};
            List<long[]> samples = new ArrayList<>();
            for (int i = 0; i < CYCLES; i++) {
                long[] t = new long[steps.length];
                String name = PodSpecs.podName();
                long t0 = System.nanoTime();
                client.pods().inNamespace(FakeCluster.NS)
                        .resource(PodSpecs.pod(config, FakeCluster.NS, name, "latency", "latency")).create();
                long t1 = System.nanoTime();
                client.pods().inNamespace(FakeCluster.NS).withName(name)
                        .waitUntilCondition(PodFailures::running, 10, TimeUnit.SECONDS);
                long t2 = System.nanoTime();
                try (ExecWatch watch = client.pods().inNamespace(FakeCluster.NS).withName(name).inContainer(PodSpecs.CONTAINER)
                        .redirectingInput().redirectingOutput().redirectingError().attach()) {
                    watch.getInput().write(PodSpecs.GO.getBytes(StandardCharsets.US_ASCII));
                    watch.getInput().flush();
                    assertThat(KubernetesSandboxesIT.line(watch.getOutput())).contains("\"ready\"");
                    long t3 = System.nanoTime();
                    watch.getInput().write("{\"type\":\"execute\",\"code\":\"result = 1\"}\n".getBytes(StandardCharsets.UTF_8));
                    watch.getInput().flush();
                    assertThat(KubernetesSandboxesIT.line(watch.getOutput())).contains("\"result\"");
                    long t4 = System.nanoTime();
                    t[2] = t3 - t2;
                    t[3] = t4 - t3;
                }
                long t5 = System.nanoTime();
                client.pods().inNamespace(FakeCluster.NS).withName(name).withGracePeriod(0).delete();
                long t6 = System.nanoTime();
                t[0] = t1 - t0;
                t[1] = t2 - t1;
                t[4] = t6 - t5;
                samples.add(t);
            }
            StringBuilder report = new StringBuilder("step latencies against the mock API server (ms), " + CYCLES
                    + " cycles, first excluded:\n");
            for (int s = 0; s < steps.length; s++) {
                int step = s;
                long[] ms = samples.stream().skip(1).mapToLong(t -> TimeUnit.NANOSECONDS.toMillis(t[step])).sorted().toArray();
                report.append(String.format("  %-13s p50 %5d  max %5d  %s%n", steps[s], ms[ms.length / 2], ms[ms.length - 1],
                        Arrays.toString(ms)));
            }
            System.out.print(report);
            assertThat(samples).hasSize(CYCLES);
            assertThat(cluster.sandboxPods()).isEmpty();
        }
    }
}
