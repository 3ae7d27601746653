package dev.dea.sandbox.kubernetes;

import dev.dea.sandbox.SandboxBackend;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The backend against fabric8's mock API server, with the test as kubelet and the real runner behind attach. */
class KubernetesSandboxesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private FakeCluster cluster;
    private KubernetesSandboxes backend;

    static KubernetesConfig config(int poolSize, Duration startup) {
        return new KubernetesConfig(PodSpecsTest.sandbox(poolSize), FakeCluster.NS, Optional.empty(), startup,
                KubernetesConfig.DEFAULT_MAX_IDLE, 5, Duration.ofSeconds(1));
    }

    @AfterEach
    void tearDown() {
        if (backend != null) {
            backend.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * Sends one execute and reads the result message and its column buffers (runner protocol 2);
     * "rows" renders the int64 columns these tests return as JSON rows ("[1]\n[2]\n").
     */
    static JsonNode runCode(SandboxBackend.Sandbox sandbox, String code) throws IOException {
        String execute = JSON.writeValueAsString(Map.of("type", "execute", "code", code)) + "\n";
        sandbox.stdin().write(execute.getBytes(StandardCharsets.UTF_8));
        sandbox.stdin().flush();
        JsonNode result = JSON.readTree(line(sandbox.stdout()));
        JsonNode frame = result.path("frame");
        int rows = frame.path("row_count").asInt();
        java.util.List<long[]> ints = new java.util.ArrayList<>();
        for (JsonNode column : frame.path("columns")) {
            for (JsonNode buffer : column.path("buffers")) {
                byte[] bytes = readFully(sandbox.stdout(), buffer.path("bytes").asInt());
                if (buffer.path("name").asText().equals("values") && column.path("kind").asText().equals("int64")) {
                    long[] values = new long[rows];
                    java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(values);
                    ints.add(values);
                }
            }
        }
        StringBuilder rowLines = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            StringBuilder row = new StringBuilder("[");
            for (long[] column : ints) {
                row.append(row.length() > 1 ? "," : "").append(column[i]);
            }
            rowLines.append(row).append("]\n");
        }
        ((com.fasterxml.jackson.databind.node.ObjectNode) result).put("rows", rowLines.toString());
        return result;
    }

    /** Never asks for 0 bytes, which fabric8's exec stream does not allow (readNBytes may). */
    private static byte[] readFully(InputStream in, int size) throws IOException {
        byte[] bytes = new byte[size];
        for (int done = 0; done < size; ) {
            int n = in.read(bytes, done, size - done);
            if (n < 0) {
                throw new IOException("stream ended");
            }
            done += n;
        }
        return bytes;
    }

    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("stream ended");
            }
            out.write(b);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aColdPodRunsTheRealRunnerOverAttachAndIsDeletedAfterUse() throws IOException {
        cluster = new FakeCluster(0);
        backend = new KubernetesSandboxes(config(0, Duration.ofSeconds(30)), cluster.agentClient(), "owner-a");
        assertThat(cluster.admin.network().v1().networkPolicies().inNamespace(FakeCluster.NS)
                .withName(PodSpecs.NETWORK_POLICY).get()).satisfies(p -> assertThat(PodSpecs.deniesAll(p)).isTrue());

        String name;
        try (SandboxBackend.Sandbox sandbox = backend.acquire()) {
            name = sandbox.id();
            assertThat(sandbox.fromPool()).isFalse();
            assertThat(cluster.podExists(name)).isTrue();
            JsonNode result = runCode(sandbox, "import pandas as pd\nresult_df = pd.DataFrame({'a': [1, 2, 3]})");
            assertThat(result.path("type").asText()).isEqualTo("result");
            assertThat(result.path("status").asText()).isEqualTo("ok");
            assertThat(result.path("rows").asText()).isEqualTo("[1]\n[2]\n[3]\n");
        }
        assertThat(cluster.podExists(name)).isFalse();
        assertThat(backend.unavailableReason()).isEmpty();
    }

    @Test
    void reapingDeletesThisOwnersLeftoversAndNeverAnotherAgentsPods() {
        cluster = new FakeCluster(0);
        cluster.mode = FakeCluster.Mode.NONE;
        createPod("leftover", "owner-a", "crashed-instance");
        createPod("someone-elses", "owner-b", "live-elsewhere");
        backend = new KubernetesSandboxes(config(0, Duration.ofSeconds(30)), cluster.agentClient(), "owner-a");
        assertThat(cluster.podExists("leftover")).isFalse();
        assertThat(cluster.podExists("someone-elses")).isTrue();

        createPod("mine-unregistered", "owner-a", backend.instanceId());
        backend.close();
        backend = null;
        assertThat(cluster.podExists("mine-unregistered")).isFalse();
        assertThat(cluster.podExists("someone-elses")).isTrue();
    }

    private void createPod(String name, String owner, String instance) {
        cluster.admin.pods().inNamespace(FakeCluster.NS).resource(new PodBuilder().withNewMetadata().withName(name)
                .withLabels(Map.of(PodSpecs.LABEL, "true", PodSpecs.OWNER_LABEL, owner, PodSpecs.INSTANCE_LABEL, instance))
                .endMetadata().withNewSpec().addNewContainer().withName("runner").withImage("x").endContainer().endSpec()
                .build()).create();
    }

    @Test
    void anOomKillDuringTheExecutionIsMemoryLimit() throws IOException {
        cluster = new FakeCluster(0);
        backend = new KubernetesSandboxes(config(0, Duration.ofSeconds(30)), cluster.agentClient(), "owner-a");
        try (SandboxBackend.Sandbox sandbox = backend.acquire()) {
            sandbox.stdin().write("{\"type\":\"execute\",\"code\":\"import time\\ntime.sleep(30)\"}\n".getBytes(StandardCharsets.UTF_8));
            sandbox.stdin().flush();
            cluster.oomKill(sandbox.id());
            assertThatThrownBy(() -> line(sandbox.stdout())).isInstanceOf(IOException.class);
            AgentException e = sandbox.diagnose("the runner's output ended");
            assertThat(e.type()).isEqualTo(ErrorType.MEMORY_LIMIT);
            assertThat(e.getMessage()).contains("256 MB", "OOMKilled true");
        }
    }

    @Test
    void thePodDeadlineIsTimeoutAndThePodIsDeleted() throws IOException {
        cluster = new FakeCluster(0);
        backend = new KubernetesSandboxes(config(0, Duration.ofSeconds(30)), cluster.agentClient(), "owner-a");
        try (SandboxBackend.Sandbox sandbox = backend.acquire()) {
            cluster.deadline(sandbox.id());
            assertThatThrownBy(() -> line(sandbox.stdout())).isInstanceOf(IOException.class);
            AgentException e = sandbox.diagnose("the runner's output ended");
            assertThat(e.type()).isEqualTo(ErrorType.TIMEOUT);
            assertThat(cluster.podExists(sandbox.id())).isFalse();
        }
    }

    @Test
    void aPodKilledForMemoryBeforeItsRunnerIsReadyIsMemoryLimit() {
        cluster = new FakeCluster(0);
        cluster.mode = FakeCluster.Mode.OOM_AT_START;
        backend = new KubernetesSandboxes(config(0, Duration.ofSeconds(30)), cluster.agentClient(), "owner-a");
        assertThatThrownBy(backend::acquire).isInstanceOfSatisfying(AgentException.class,
                e -> assertThat(e.type()).isEqualTo(ErrorType.MEMORY_LIMIT));
        assertThat(cluster.sandboxPods()).isEmpty();
    }

    @Test
    void anUnschedulablePodIsUnavailableWithTheSchedulersReasonWithinTheBound() {
        cluster = new FakeCluster(0);
        cluster.mode = FakeCluster.Mode.UNSCHEDULABLE;
        backend = new KubernetesSandboxes(config(0, Duration.ofSeconds(2)), cluster.agentClient(), "owner-a");
        long t0 = System.nanoTime();
        assertThatThrownBy(backend::acquire).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.type()).isEqualTo(ErrorType.SANDBOX_UNAVAILABLE);
            assertThat(e.type().httpStatus()).isEqualTo(503);
            assertThat(e.getMessage()).contains("within 2 s", "cannot be scheduled", "Insufficient memory");
        });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(6));
        assertThat(cluster.sandboxPods()).isEmpty();
    }

    @Test
    void aFullResourceQuotaIsTooManyRequestsWithRetryAfter() {
        cluster = new FakeCluster(0);
        backend = new KubernetesSandboxes(config(0, Duration.ofSeconds(30)), cluster.agentClient(), "owner-a");
        cluster.server.expect().post().withPath("/api/v1/namespaces/" + FakeCluster.NS + "/pods")
                .andReturn(403, new StatusBuilder().withStatus("Failure").withReason("Forbidden").withCode(403)
                        .withMessage("pods \"dea-sandbox-x\" is forbidden: exceeded quota: sandboxes, requested: "
                                + "limits.memory=256Mi, used: limits.memory=4Gi, limited: limits.memory=4Gi").build())
                .once();
        assertThatThrownBy(backend::acquire).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.type()).isEqualTo(ErrorType.TOO_MANY_REQUESTS);
            assertThat(e.getMessage()).contains("exceeded quota");
            assertThat(e.details()).containsEntry("retry_after_seconds", PodFailures.QUOTA_RETRY_AFTER_SECONDS);
        });
    }

    @Test
    void anUnreachableApiServerIsUnavailableAndTheNextServerOnThatAddressIsUsedWithoutRestart() throws IOException {
        cluster = new FakeCluster(0);
        int port = cluster.port();
        backend = new KubernetesSandboxes(config(0, Duration.ofSeconds(30)), FakeCluster.agentClient(port), "owner-a");
        cluster.close();
        cluster = null;

        long t0 = System.nanoTime();
        assertThatThrownBy(backend::acquire).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.type()).isEqualTo(ErrorType.SANDBOX_UNAVAILABLE);
            assertThat(e.getMessage()).contains("not reachable");
        });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(backend.unavailableReason()).hasValueSatisfying(r -> assertThat(r).contains("not reachable"));

        cluster = new FakeCluster(port);
        try (SandboxBackend.Sandbox sandbox = backend.acquire()) {
            assertThat(runCode(sandbox, "import pandas as pd\nresult_df = pd.DataFrame({'x': [7]})").path("rows").asText())
                    .isEqualTo("[7]\n");
        }
        // The new server had no NetworkPolicy: it was created before the first pod there.
        assertThat(cluster.admin.network().v1().networkPolicies().inNamespace(FakeCluster.NS)
                .withName(PodSpecs.NETWORK_POLICY).get()).isNotNull();
        assertThat(backend.unavailableReason()).isEmpty();
    }

    @Test
    void anImageThatCannotBePulledIsUnavailableAtOnceNotAtTheBound() {
        cluster = new FakeCluster(0);
        cluster.mode = FakeCluster.Mode.IMAGE_PULL_ERROR;
        backend = new KubernetesSandboxes(config(0, Duration.ofSeconds(30)), cluster.agentClient(), "owner-a");
        long t0 = System.nanoTime();
        assertThatThrownBy(backend::acquire).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.type()).isEqualTo(ErrorType.SANDBOX_UNAVAILABLE);
            assertThat(e.getMessage()).contains("ErrImagePull", "pull access denied");
        });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(cluster.sandboxPods()).isEmpty();
    }

    @Test
    void aNetworkPolicyOfTheSameNameThatAllowsTrafficStopsEveryPodStart() {
        cluster = new FakeCluster(0);
        var permissive = PodSpecs.denyAll(FakeCluster.NS);
        permissive.getSpec().setEgress(java.util.List.of(new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule()));
        cluster.admin.network().v1().networkPolicies().inNamespace(FakeCluster.NS).resource(permissive).create();
        backend = new KubernetesSandboxes(config(0, Duration.ofSeconds(30)), cluster.agentClient(), "owner-a");

        assertThatThrownBy(backend::acquire).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.type()).isEqualTo(ErrorType.SANDBOX_UNAVAILABLE);
            assertThat(e.getMessage()).contains("does not deny all");
        });
        assertThat(cluster.sandboxPods()).isEmpty();
        assertThat(backend.unavailableReason()).hasValueSatisfying(r -> assertThat(r).contains("does not deny all"));
    }

    @Test
    void anotherPolicyThatOpensSandboxPodsStopsPodStartsAndOneForOtherPodsDoesNot() throws IOException {
        cluster = new FakeCluster(0);
        var egress = java.util.List.of(new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule());
        cluster.admin.network().v1().networkPolicies().inNamespace(FakeCluster.NS).resource(
                new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder()
                        .withNewMetadata().withName("web-egress").endMetadata()
                        .withNewSpec().withNewPodSelector().withMatchLabels(Map.of("app", "web")).endPodSelector()
                        .withEgress(egress).endSpec().build()).create();
        backend = new KubernetesSandboxes(config(0, Duration.ofSeconds(30)), cluster.agentClient(), "owner-a");
        try (SandboxBackend.Sandbox sandbox = backend.acquire()) {
            assertThat(runCode(sandbox, "result_df = None").path("type").asText()).isEqualTo("result");
        }

        cluster.admin.network().v1().networkPolicies().inNamespace(FakeCluster.NS).resource(
                new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder()
                        .withNewMetadata().withName("allow-dns").endMetadata()
                        .withNewSpec().withNewPodSelector().withMatchLabels(Map.of("dev.dea.sandbox", "true"))
                        .endPodSelector().withEgress(egress).endSpec().build()).create();
        backend.close();
        backend = new KubernetesSandboxes(config(0, Duration.ofSeconds(30)), cluster.agentClient(), "owner-a");
        assertThatThrownBy(backend::acquire).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.type()).isEqualTo(ErrorType.SANDBOX_UNAVAILABLE);
            assertThat(e.getMessage()).contains("[allow-dns]").doesNotContain("web-egress");
        });
        assertThat(cluster.sandboxPods()).isEmpty();
    }
}
