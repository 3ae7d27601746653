package dev.dea.doctor;

import dev.dea.config.ConfigLoader;
import dev.dea.config.SandboxConfig;
import dev.dea.sandbox.kubernetes.KubernetesSandboxes;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The doctor's Kubernetes checks against fabric8's mock API server in CRUD mode. The server
 * answers SelfSubjectAccessReviews by the rules of a Role, at first the one shipped in
 * deploy/kubernetes/agent-rbac.yaml, as the API server's RBAC authorizer would.
 */
class KubernetesChecksIT {
    private static final Path DEPLOY = Path.of("").toAbsolutePath().getParent().resolve("deploy/kubernetes");
    private static final String NS = "dea-sandboxes";

    private KubernetesMockServer server;
    private KubernetesClient admin;
    private final List<PolicyRule> rules = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        rules.addAll(manifest("agent-rbac.yaml", "Role", Role.class).getRules());
        Map<io.fabric8.mockwebserver.ServerRequest, java.util.Queue<io.fabric8.mockwebserver.ServerResponse>> responses = new HashMap<>();
        KubernetesMixedDispatcher crud = new KubernetesMixedDispatcher(responses);
        Dispatcher dispatcher = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getPath().startsWith("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")) {
                    return review(request);
                }
                if (request.getPath().equals("/version")) {
                    return new MockResponse().setResponseCode(200)
                            .setBody("{\"major\":\"1\",\"minor\":\"31\",\"gitVersion\":\"v1.31.2\"}");
                }
                return crud.dispatch(request);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        admin = server.createClient();
    }

    @AfterEach
    void stop() {
        admin.close();
        server.destroy();
    }

    /** The RBAC authorizer's decision for the review's attributes under {@link #rules}, in namespace {@link #NS} only. */
    private MockResponse review(RecordedRequest request) {
        SelfSubjectAccessReview review = Serialization.unmarshal(request.getUtf8Body(), SelfSubjectAccessReview.class);
        ResourceAttributes a = review.getSpec().getResourceAttributes();
        String resource = a.getResource() + (a.getSubresource() == null ? "" : "/" + a.getSubresource());
        boolean allowed = NS.equals(a.getNamespace()) && rules.stream().anyMatch(r ->
                (r.getApiGroups().contains(a.getGroup() == null ? "" : a.getGroup()) || r.getApiGroups().contains("*"))
                        && (r.getResources().contains(resource) || r.getResources().contains("*"))
                        && (r.getVerbs().contains(a.getVerb()) || r.getVerbs().contains("*")));
        review.setStatus(new SubjectAccessReviewStatus(allowed, false, null, allowed ? "RBAC: allowed by Role" : ""));
        return new MockResponse().setResponseCode(201).setBody(Serialization.asJson(review));
    }

    private static <T> T manifest(String file, String kind, Class<T> type) throws IOException {
        for (String doc : Files.readString(DEPLOY.resolve(file)).split("(?m)^---\\s*$")) {
            if (doc.contains("kind: " + kind + "\n")) {
                return Serialization.unmarshal(doc, type);
            }
        }
        throw new AssertionError(kind + " not found in " + file);
    }

    private List<Check> run(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(Map.of("SANDBOX_BACKEND", "kubernetes", "SANDBOX_K8S_NAMESPACE", NS));
        all.putAll(env);
        SandboxConfig config = ConfigLoader.load(all).sandbox();
        try (KubernetesClient client = agentClient(server.getPort())) {
            return KubernetesChecks.run(config, client);
        }
    }

    private static KubernetesClient agentClient(int port) {
        return KubernetesSandboxes.client(new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + port + "/").build());
    }

    private static Check named(List<Check> checks, String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name));
    }

    private void installAsDocumented() throws IOException {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        admin.network().v1().networkPolicies().inNamespace(NS)
                .resource(manifest("sandbox-networkpolicy.yaml", "NetworkPolicy", NetworkPolicy.class)).create();
        admin.resources(RuntimeClass.class).resource(manifest("runtimeclass-gvisor.yaml", "RuntimeClass", RuntimeClass.class))
                .create();
    }

    @Test
    void aClusterSetUpAsDocumentedPassesEveryCheck() throws IOException {
        installAsDocumented();
        List<Check> checks = run(Map.of("SANDBOX_RUNTIME_CLASS", "gvisor"));
        assertThat(checks).extracting(Check::name).containsExactly(KubernetesChecks.API, KubernetesChecks.NAMESPACE,
                KubernetesChecks.RBAC, KubernetesChecks.RUNTIME_CLASS, KubernetesChecks.POLICY);
        assertThat(checks).allSatisfy(c -> assertThat(c.status()).as(c.line()).isEqualTo(Check.Status.OK));
        assertThat(named(checks, KubernetesChecks.API).detail()).contains("v1.31.2");
        assertThat(named(checks, KubernetesChecks.RBAC).detail()).contains("nothing more");
        assertThat(named(checks, KubernetesChecks.RUNTIME_CLASS).detail()).contains("gvisor").contains("runsc");
    }

    @Test
    void rightsBeyondTheRoleWarnAndAMissingVerbFails() throws IOException {
        installAsDocumented();
        rules.add(new PolicyRuleBuilder().withApiGroups("").withResources("secrets").withVerbs("get", "list").build());
        Check wide = named(run(Map.of()), KubernetesChecks.RBAC);
        assertThat(wide.status()).isEqualTo(Check.Status.WARN);
        assertThat(wide.detail()).contains("get secrets, list secrets");

        List<PolicyRule> withoutAttach = new ArrayList<>();
        for (PolicyRule r : manifest("agent-rbac.yaml", "Role", Role.class).getRules()) {
            if (!r.getResources().contains("pods/attach")) {
                withoutAttach.add(r);
            }
        }
        rules.clear();
        rules.addAll(withoutAttach);
        Check narrow = named(run(Map.of()), KubernetesChecks.RBAC);
        assertThat(narrow.status()).isEqualTo(Check.Status.FAIL);
        assertThat(narrow.detail()).contains("may not create pods/attach");
        assertThat(narrow.remedy()).hasValueSatisfying(r -> assertThat(r).contains("agent-rbac.yaml"));
    }

    @Test
    void aMissingNamespaceAndRuntimeClassFailAndAPolicyThatAllowsEgressFails() throws IOException {
        NetworkPolicy leaky = manifest("sandbox-networkpolicy.yaml", "NetworkPolicy", NetworkPolicy.class);
        leaky.getSpec().setEgress(List.of(new NetworkPolicyEgressRule()));
        admin.network().v1().networkPolicies().inNamespace(NS).resource(leaky).create();
        List<Check> checks = run(Map.of("SANDBOX_RUNTIME_CLASS", "kata"));
        assertThat(named(checks, KubernetesChecks.NAMESPACE).status()).isEqualTo(Check.Status.FAIL);
        assertThat(named(checks, KubernetesChecks.NAMESPACE).detail()).contains(NS + " does not exist");
        assertThat(named(checks, KubernetesChecks.RUNTIME_CLASS).status()).isEqualTo(Check.Status.FAIL);
        assertThat(named(checks, KubernetesChecks.RUNTIME_CLASS).detail()).contains("kata");
        assertThat(named(checks, KubernetesChecks.POLICY).status()).isEqualTo(Check.Status.FAIL);
        assertThat(named(checks, KubernetesChecks.POLICY).detail()).contains("allows traffic");
    }

    @Test
    void anotherPolicyThatOpensSandboxPodsFailsBesideADenyAllThatIsFine() throws IOException {
        installAsDocumented();
        NetworkPolicy allowDns = manifest("sandbox-networkpolicy.yaml", "NetworkPolicy", NetworkPolicy.class);
        allowDns.getMetadata().setName("allow-dns");
        allowDns.getSpec().setEgress(List.of(new NetworkPolicyEgressRule()));
        admin.network().v1().networkPolicies().inNamespace(NS).resource(allowDns).create();
        Check policy = named(run(Map.of()), KubernetesChecks.POLICY);
        assertThat(policy.status()).isEqualTo(Check.Status.FAIL);
        assertThat(policy.detail()).contains("[allow-dns]").contains("refuses to start pods");
    }

    @Test
    void aMissingPolicyIsAWarningSinceTheAgentCreatesIt() throws IOException {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        Check policy = named(run(Map.of()), KubernetesChecks.POLICY);
        assertThat(policy.status()).isEqualTo(Check.Status.WARN);
        assertThat(policy.detail()).contains("does not exist yet");
    }

    @Test
    void anUnreachableApiServerFailsAndSkipsTheRest() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        SandboxConfig config = ConfigLoader.load(Map.of("SANDBOX_BACKEND", "kubernetes", "SANDBOX_K8S_NAMESPACE", NS)).sandbox();
        List<Check> checks;
        try (KubernetesClient client = agentClient(closedPort)) {
            checks = KubernetesChecks.run(config, client);
        }
        assertThat(checks.get(0).name()).isEqualTo(KubernetesChecks.API);
        assertThat(checks.get(0).status()).isEqualTo(Check.Status.FAIL);
        assertThat(checks.get(0).detail()).contains("not reachable at http://127.0.0.1:" + closedPort);
        assertThat(checks.subList(1, checks.size())).hasSize(4)
                .allSatisfy(c -> assertThat(c.status()).isEqualTo(Check.Status.SKIP));
    }
}
