package dev.dea.sandbox.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.sandbox.SandboxBackend;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole agent with SANDBOX_BACKEND=kubernetes: ConfigLoader, Main.buildServices (which
 * builds {@link KubernetesSandboxes} with fabric8's standard client configuration) and the
 * HTTP API, against fabric8's mock API server with {@link FakeCluster} playing the kubelet and
 * running the repository's runner behind the pod's attach stream. A Python /execute step,
 * with a sql() callback into the real PostgreSQL, returns its frame from a pod that carries
 * every hardening field and is deleted afterwards.
 */
class KubernetesAgentIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** fabric8's auto-configuration reads these before KUBECONFIG and the service account. */
    private static final List<String> CLIENT_PROPERTIES = List.of("kubernetes.master", "kubernetes.namespace",
            "kubernetes.auth.tryKubeConfig", "kubernetes.auth.tryServiceAccount");

    private FakeCluster cluster;

    @BeforeEach
    void start() {
        cluster = new FakeCluster(0);
        System.setProperty("kubernetes.master", "http://127.0.0.1:" + cluster.port() + "/");
        System.setProperty("kubernetes.namespace", "default");
        System.setProperty("kubernetes.auth.tryKubeConfig", "false");
        System.setProperty("kubernetes.auth.tryServiceAccount", "false");
    }

    @AfterEach
    void stop() {
        CLIENT_PROPERTIES.forEach(System::clearProperty);
        cluster.close();
    }

    @Test
    void aPythonStepRunsInAHardenedPodThatIsDeletedAfter() throws Exception {
        try (AgentHarness agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()), Map.of(
                "SANDBOX_BACKEND", "kubernetes", "SANDBOX_K8S_NAMESPACE", FakeCluster.NS,
                "SANDBOX_RUNTIME_CLASS", "gvisor", "SANDBOX_MEMORY_MB", "512", "SANDBOX_CPUS", "0.5"))) {
            assertThat(agent.services().sandbox().status().reason()).as("the backend is usable").isEmpty();
            assertThat(agent.services().sandbox().status().runtime()).isEqualTo("kubernetes/gvisor");
            String code = "answer = sql('SELECT 42 AS answer')\n"
                    + "result_df = pd.DataFrame({'n': [1, 2, 3], 'answer': [int(answer['answer'][0])] * 3})";
            // As stored by the API server: the mock's CRUD store keeps the spec exactly as the agent sent it.
            List<Pod> added = new java.util.concurrent.CopyOnWriteArrayList<>();
            var watch = cluster.admin.pods().inNamespace(FakeCluster.NS).watch(new Watcher<Pod>() {
                @Override
                public void eventReceived(Action action, Pod pod) {
                    if (action == Action.ADDED) {
                        added.add(pod);
                    }
                }

                @Override
                public void onClose(WatcherException cause) {
                }
            });
            AgentHarness.Reply reply = agent.post("/execute", JSON.writeValueAsString(Map.of("language", "python", "code", code)));
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            JsonNode body = reply.json();
            assertThat(body.path("frame_created").asBoolean(false)).as(reply.body()).isTrue();
            String key = body.path("cache_key").asText();
            JsonNode frame = agent.get("/frames/" + key).json();
            assertThat(frame.toString()).contains("\"n\"").contains("\"answer\"");
            assertThat(agent.services().cache().get(key).rowCount()).isEqualTo(3);
            assertThat(agent.services().cache().previewRows(key, 3).get(0).toString()).isEqualTo("[1,42]");

            // /health reuses a probe for up to a second: one from before the pod was ready may still answer.
            JsonNode packages = agent.getAnonymously("/health").json().path("sandbox").path("packages");
            for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                 packages.path("pandas").asText().isEmpty() && System.nanoTime() < until; ) {
                Thread.sleep(200);
                packages = agent.getAnonymously("/health").json().path("sandbox").path("packages");
            }
            assertThat(packages.path("pandas").asText()).as("the runner's declared packages, once a pod was ready: %s",
                    packages).isNotEmpty();
            assertThat(packages.path("python").asText()).startsWith("3.");
            assertThat(agent.get("/metrics").body()).as("served by a cold pod, counted as for Docker")
                    .containsPattern("dea_sandbox_served_total\\{source=\"cold\"\\} 1(\\.0)?\\n")
                    .containsPattern("dea_sandbox_served_total\\{source=\"pool\"\\} 0(\\.0)?\\n");
            List<Pod> created = List.copyOf(added);
            assertThat(created).as("one cold pod (SANDBOX_POOL_SIZE=0 in the harness)").hasSize(1);
            Pod pod = created.get(0);
            watch.close();
            assertHardened(pod, agent.services().sandbox().instanceId(), SandboxBackend.ownerOf(agent.cacheDir()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (cluster.podExists(pod.getMetadata().getName())) {
                assertThat(System.nanoTime()).as("the used pod is deleted").isLessThan(deadline);
                Thread.sleep(50);
            }
        }
        assertThat(cluster.sandboxPods()).as("nothing is left after the agent stops").isEmpty();
    }

    @Test
    void aStepOverTheTimeLimitIsATimeoutAndItsPodIsDeleted() throws Exception {
        try (AgentHarness agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()), Map.of(
                "SANDBOX_BACKEND", "kubernetes", "SANDBOX_K8S_NAMESPACE", FakeCluster.NS, "SANDBOX_TIMEOUT_SECONDS", "2"))) {
            long started = System.nanoTime();
            AgentHarness.Reply reply = agent.post("/execute", JSON.writeValueAsString(Map.of("language", "python",
                    "code", "import time\ntime.sleep(60)\nresult_df = pd.DataFrame({'a': [1]})")));
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(reply.status()).as(reply.body()).isEqualTo(400);
            assertThat(reply.errorType()).isEqualTo("TIMEOUT");
            assertThat(tookMillis).as("the service's watchdog ends the step, not the pod's deadline").isLessThan(20_000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!cluster.sandboxPods().isEmpty()) {
                assertThat(System.nanoTime()).as("the timed-out pod is deleted").isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    private static void assertHardened(Pod pod, String instanceId, String owner) {
        var meta = pod.getMetadata();
        assertThat(meta.getNamespace()).isEqualTo(FakeCluster.NS);
        assertThat(meta.getLabels()).containsEntry("dev.dea.sandbox", "true")
                .containsEntry("dev.dea.sandbox.instance", instanceId).containsEntry("dev.dea.sandbox.owner", owner);
        var spec = pod.getSpec();
        assertThat(spec.getRestartPolicy()).isEqualTo("Never");
        assertThat(spec.getRuntimeClassName()).isEqualTo("gvisor");
        assertThat(spec.getAutomountServiceAccountToken()).isFalse();
        assertThat(spec.getEnableServiceLinks()).isFalse();
        assertThat(spec.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
        assertThat(spec.getHostPID()).isNotEqualTo(Boolean.TRUE);
        assertThat(spec.getHostIPC()).isNotEqualTo(Boolean.TRUE);
        assertThat(spec.getActiveDeadlineSeconds()).isPositive();
        assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(spec.getContainers()).hasSize(1);
        Container c = spec.getContainers().get(0);
        assertThat(c.getStdin()).isTrue();
        assertThat(c.getStdinOnce()).isTrue();
        assertThat(c.getTty()).isNotEqualTo(Boolean.TRUE);
        assertThat(c.getEnv()).isNullOrEmpty();
        var sc = c.getSecurityContext();
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getRunAsUser()).isEqualTo(10001L);
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getPrivileged()).isNotEqualTo(Boolean.TRUE);
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(c.getResources().getLimits()).containsEntry("memory", new Quantity("512Mi"))
                .containsEntry("cpu", new Quantity("500m"));
        assertThat(c.getResources().getRequests()).isEqualTo(c.getResources().getLimits());
        assertThat(spec.getVolumes()).hasSize(1);
        assertThat(spec.getVolumes().get(0).getHostPath()).isNull();
        assertThat(spec.getVolumes().get(0).getEmptyDir().getMedium()).isEqualTo("Memory");
        assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactly("/tmp");
    }
}
