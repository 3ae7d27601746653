package dev.dea.sandbox.kubernetes;

import dev.dea.config.ConfigException;
import dev.dea.config.SandboxConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PodSpecsTest {
    static SandboxConfig sandbox(int poolSize) {
        return new SandboxConfig("dea-sandbox:latest", Duration.ofSeconds(100), 256, 0.5, 64, 2, 16, poolSize,
                Optional.empty(), 1 << 20, 64);
    }

    @Test
    void thePodIsOneUseHardenedAndLimitedLikeTheDockerSandbox() {
        KubernetesConfig config = KubernetesConfig.from(sandbox(2), Map.of("SANDBOX_K8S_NAMESPACE", "sandboxes",
                "SANDBOX_RUNTIME_CLASS", "gvisor"));
        Pod pod = PodSpecs.pod(config, "sandboxes", "dea-sandbox-x", "inst-1", "owner-1");

        assertThat(pod.getMetadata().getName()).isEqualTo("dea-sandbox-x");
        assertThat(pod.getMetadata().getNamespace()).isEqualTo("sandboxes");
        assertThat(pod.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "dev.dea.sandbox", "true", "dev.dea.sandbox.instance", "inst-1", "dev.dea.sandbox.owner", "owner-1"));
        var spec = pod.getSpec();
        assertThat(spec.getRestartPolicy()).isEqualTo("Never");
        assertThat(spec.getActiveDeadlineSeconds()).isEqualTo(60 + 300 + 100 + 30L);
        assertThat(spec.getRuntimeClassName()).isEqualTo("gvisor");
        assertThat(spec.getAutomountServiceAccountToken()).isFalse();
        assertThat(spec.getEnableServiceLinks()).isFalse();
        assertThat(spec.getHostNetwork()).isFalse();
        assertThat(spec.getHostPID()).isFalse();
        assertThat(spec.getHostIPC()).isFalse();
        assertThat(spec.getTerminationGracePeriodSeconds()).isZero();
        assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(spec.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(spec.getInitContainers()).isEmpty();
        assertThat(spec.getContainers()).hasSize(1);

        Container c = spec.getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("dea-sandbox:latest");
        assertThat(c.getCommand()).containsExactly("/bin/sh", "-c", "read -r go && exec python3 /opt/dea/runner/runner.py");
        assertThat(c.getArgs()).isEmpty();
        assertThat(c.getEnv()).isEmpty();
        assertThat(c.getPorts()).isEmpty();
        assertThat(c.getStdin()).isTrue();
        assertThat(c.getStdinOnce()).isTrue();
        assertThat(c.getTty()).isFalse();
        assertThat(c.getResources().getLimits()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "cpu", new Quantity("500m"), "memory", new Quantity("256Mi")));
        assertThat(c.getResources().getRequests()).isEqualTo(c.getResources().getLimits());
        var sc = c.getSecurityContext();
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getRunAsUser()).isEqualTo(10001L);
        assertThat(sc.getRunAsGroup()).isEqualTo(10001L);
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getPrivileged()).isFalse();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getCapabilities().getAdd()).isEmpty();
        assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(c.getVolumeMounts()).singleElement().satisfies(m -> {
            assertThat(m.getName()).isEqualTo("tmp");
            assertThat(m.getMountPath()).isEqualTo("/tmp");
        });
        // The only volume: a size-limited, memory-backed /tmp; no hostPath, no secrets, no projected token.
        assertThat(spec.getVolumes()).singleElement().satisfies(v -> {
            assertThat(v.getName()).isEqualTo("tmp");
            assertThat(v.getHostPath()).isNull();
            assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory");
            assertThat(v.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("64Mi"));
        });
    }

    @Test
    void limitsFollowTheSandboxSettingsAndNoRuntimeClassMeansTheClusterDefault() {
        SandboxConfig custom = new SandboxConfig("registry.local/dea-sandbox:7", Duration.ofSeconds(30), 1024, 2.0, 64, 2,
                16, 0, Optional.empty(), 1 << 20, 128);
        Pod pod = PodSpecs.pod(KubernetesConfig.from(custom, Map.of()), "ns", "p", "i", "o");
        Container c = pod.getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("registry.local/dea-sandbox:7");
        assertThat(c.getResources().getLimits()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "cpu", new Quantity("2000m"), "memory", new Quantity("1024Mi")));
        assertThat(pod.getSpec().getVolumes().get(0).getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("128Mi"));
        assertThat(pod.getSpec().getRuntimeClassName()).isNull();
        assertThat(pod.getSpec().getActiveDeadlineSeconds()).isEqualTo(60 + 300 + 30 + 30L);
    }

    @Test
    void theNetworkPolicySelectsSandboxPodsAndAllowsNothing() {
        NetworkPolicy p = PodSpecs.denyAll("sandboxes");
        assertThat(p.getMetadata().getName()).isEqualTo("dea-sandbox-deny-all");
        assertThat(p.getSpec().getPodSelector().getMatchLabels()).isEqualTo(Map.of("dev.dea.sandbox", "true"));
        assertThat(p.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
        assertThat(p.getSpec().getIngress()).isEmpty();
        assertThat(p.getSpec().getEgress()).isEmpty();
        assertThat(PodSpecs.deniesAll(p)).isTrue();

        NetworkPolicy allowsDns = PodSpecs.denyAll("sandboxes");
        allowsDns.getSpec().setEgress(List.of(new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule()));
        assertThat(PodSpecs.deniesAll(allowsDns)).isFalse();
    }

    @Test
    void anyPolicyThatSelectsSandboxPodsAndHasARuleOpensThem() {
        Map<String, String> labels = PodSpecs.podLabels("i-1", "owner-a");
        var egress = List.of(new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule());
        NetworkPolicy allowDns = new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder()
                .withNewMetadata().withName("allow-dns").endMetadata()
                .withNewSpec().withNewPodSelector().endPodSelector().withEgress(egress).endSpec().build();
        assertThat(PodSpecs.opens(allowDns, labels)).as("an empty selector selects every pod").isTrue();

        allowDns.getSpec().getPodSelector().setMatchLabels(Map.of("app", "web"));
        assertThat(PodSpecs.opens(allowDns, labels)).as("another app's pods").isFalse();

        allowDns.getSpec().getPodSelector().setMatchLabels(null);
        allowDns.getSpec().getPodSelector().setMatchExpressions(List.of(
                new io.fabric8.kubernetes.api.model.LabelSelectorRequirement("dev.dea.sandbox", "Exists", null)));
        assertThat(PodSpecs.opens(allowDns, labels)).isTrue();
        allowDns.getSpec().getPodSelector().setMatchExpressions(List.of(
                new io.fabric8.kubernetes.api.model.LabelSelectorRequirement("dev.dea.sandbox", "NotIn", List.of("true"))));
        assertThat(PodSpecs.opens(allowDns, labels)).isFalse();
        allowDns.getSpec().getPodSelector().setMatchExpressions(List.of(
                new io.fabric8.kubernetes.api.model.LabelSelectorRequirement("tier", "DoesNotExist", null)));
        assertThat(PodSpecs.opens(allowDns, labels)).isTrue();

        allowDns.getSpec().setEgress(List.of());
        assertThat(PodSpecs.opens(allowDns, labels)).as("a policy with no rule only denies").isFalse();
        assertThat(PodSpecs.opens(PodSpecs.denyAll("sandboxes"), labels)).isFalse();
    }

    @Test
    void badKubernetesSettingsAreReportedTogether() {
        assertThatThrownBy(() -> KubernetesConfig.from(sandbox(0), Map.of("SANDBOX_K8S_NAMESPACE", "Sandboxes_1",
                "SANDBOX_RUNTIME_CLASS", "g visor", "SANDBOX_K8S_START_TIMEOUT_SECONDS", "soon")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(3)
                        .anySatisfy(m -> assertThat(m).startsWith("SANDBOX_K8S_NAMESPACE"))
                        .anySatisfy(m -> assertThat(m).startsWith("SANDBOX_RUNTIME_CLASS"))
                        .anySatisfy(m -> assertThat(m).startsWith("SANDBOX_K8S_START_TIMEOUT_SECONDS")));
    }
}
