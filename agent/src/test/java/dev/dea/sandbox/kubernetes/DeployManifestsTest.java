package dev.dea.sandbox.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/kubernetes/ validated offline: every document parses into fabric8's typed model of
 * its kind with no field the model does not know (a typo or a wrong indentation fails), and
 * the agent's Role grants exactly what the backend uses.
 */
class DeployManifestsTest {
    private static final Path DIR = Path.of("").toAbsolutePath().getParent().resolve("deploy/kubernetes");
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "Namespace", Namespace.class, "ServiceAccount", ServiceAccount.class, "Role", Role.class,
            "RoleBinding", RoleBinding.class, "NetworkPolicy", NetworkPolicy.class, "ResourceQuota", ResourceQuota.class,
            "RuntimeClass", RuntimeClass.class, "StatefulSet", StatefulSet.class, "Service", Service.class);

    static List<HasMetadata> all() throws IOException {
        List<HasMetadata> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
                    if (doc.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
                        continue;
                    }
                    String kind = Serialization.unmarshal(doc, Map.class).get("kind").toString();
                    Class<? extends HasMetadata> type = KINDS.get(kind);
                    assertThat(type).as(file.getFileName() + ": kind " + kind + " is not expected").isNotNull();
                    HasMetadata parsed = Serialization.unmarshal(doc, type);
                    List<String> unknown = new ArrayList<>();
                    unknownFields(parsed, file.getFileName() + ":" + kind + "/" + parsed.getMetadata().getName(), unknown,
                            new IdentityHashMap<>());
                    assertThat(unknown).as("fields the model does not know").isEmpty();
                    out.add(parsed);
                }
            }
        }
        return out;
    }

    /** fabric8 keeps unknown fields in additionalProperties instead of failing: strictness is checked here. */
    private static void unknownFields(Object o, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (o == null || seen.put(o, true) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownFields(e, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, unknown, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : o.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(o);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
            } else {
                unknownFields(value, path + "." + getter.getName().substring(3), unknown, seen);
            }
        }
    }

    @Test
    void everyManifestParsesStrictlyIntoItsTypedModel() throws IOException {
        List<HasMetadata> all = all();
        assertThat(all).extracting(HasMetadata::getKind).contains("StatefulSet", "Service", "ServiceAccount", "Role",
                "RoleBinding", "NetworkPolicy", "RuntimeClass", "Namespace");
        // The check itself must be able to fail: a misspelt field is caught.
        List<String> unknown = new ArrayList<>();
        unknownFields(Serialization.unmarshal("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: x\n"
                + "automountServiceAcountToken: false\n", ServiceAccount.class), "probe", unknown, new IdentityHashMap<>());
        assertThat(unknown).singleElement().asString().contains("automountServiceAcountToken");
    }

    @Test
    void theAgentsRoleGrantsExactlyWhatTheBackendUsesInTheSandboxNamespace() throws IOException {
        List<HasMetadata> all = all();
        Role role = all.stream().filter(Role.class::isInstance).map(Role.class::cast).findFirst().orElseThrow();
        assertThat(role.getMetadata().getNamespace()).isEqualTo("dea-sandboxes");
        assertThat(role.getRules()).extracting(PolicyRule::getApiGroups, PolicyRule::getResources,
                r -> Set.copyOf(r.getVerbs()), PolicyRule::getResourceNames, PolicyRule::getNonResourceURLs)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(List.of(""), List.of("pods"),
                                Set.of("create", "get", "list", "watch", "delete"), List.of(), List.of()),
                        org.assertj.core.groups.Tuple.tuple(List.of(""), List.of("pods/attach", "pods/exec"),
                                Set.of("create"), List.of(), List.of()),
                        org.assertj.core.groups.Tuple.tuple(List.of("networking.k8s.io"), List.of("networkpolicies"),
                                Set.of("get", "list", "create"), List.of(), List.of()));
        assertThat(all).noneMatch(o -> o.getKind().startsWith("Cluster"));

        RoleBinding binding = all.stream().filter(RoleBinding.class::isInstance).map(RoleBinding.class::cast)
                .findFirst().orElseThrow();
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo("dea-agent");
            assertThat(s.getNamespace()).isEqualTo("dea");
        });
    }

    @Test
    void theAgentRunsAsItsServiceAccountWithSecretsFromASecretAndItsDataOnAVolumeClaim() throws IOException {
        List<HasMetadata> all = all();
        StatefulSet sts = all.stream().filter(StatefulSet.class::isInstance).map(StatefulSet.class::cast).findFirst()
                .orElseThrow();
        var pod = sts.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo("dea-agent");
        var env = pod.getContainers().get(0).getEnv();
        for (String secret : List.of("AGENT_SECRET_TOKEN", "DB_PASSWORD")) {
            assertThat(env).filteredOn(e -> e.getName().equals(secret)).singleElement().satisfies(e -> {
                assertThat(e.getValue()).isNull();
                assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("dea-agent");
            });
        }
        assertThat(env).filteredOn(e -> e.getName().equals("SANDBOX_K8S_NAMESPACE")).singleElement()
                .satisfies(e -> assertThat(e.getValue()).isEqualTo("dea-sandboxes"));
        assertThat(sts.getSpec().getVolumeClaimTemplates()).singleElement()
                .satisfies(c -> assertThat(c.getMetadata().getName()).isEqualTo("data"));
        assertThat(pod.getContainers().get(0).getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("data");
            assertThat(m.getMountPath()).isEqualTo("/var/lib/dea");
        });

        NetworkPolicy policy = all.stream().filter(NetworkPolicy.class::isInstance).map(NetworkPolicy.class::cast)
                .findFirst().orElseThrow();
        // The shipped policy is the one the agent would create.
        assertThat(PodSpecs.deniesAll(policy)).isTrue();
        assertThat(policy.getMetadata().getName()).isEqualTo(PodSpecs.NETWORK_POLICY);
    }
}
