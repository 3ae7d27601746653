package dev.dea.sandbox.kubernetes;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The objects this backend creates: the sandbox pod and the namespace's deny-all
 * NetworkPolicy. Labels are the Docker backend's (DockerEngine): {@code dev.dea.sandbox},
 * {@code dev.dea.sandbox.instance} and {@code dev.dea.sandbox.owner}, so both backends find
 * and reap their sandboxes the same way.
 */
final class PodSpecs {
    static final String LABEL = "dev.dea.sandbox";
    static final String INSTANCE_LABEL = "dev.dea.sandbox.instance";
    static final String OWNER_LABEL = "dev.dea.sandbox.owner";
    static final String NETWORK_POLICY = "dea-sandbox-deny-all";
    static final String CONTAINER = "runner";
    /** The image's unprivileged user and group (sandbox-image/Dockerfile, build-offline.sh). */
    static final long SANDBOX_UID = 10001;
    static final String RUNNER = "/opt/dea/runner/runner.py";
    /**
     * The image's entrypoint behind a start gate. An attach only carries output written after
     * it is attached, and the runner prints {@code ready} once, a second after it starts; so
     * the pod waits for one line on stdin (sent right after attaching) before it starts the
     * runner. {@code read} takes its line byte by byte, so the protocol that follows on the
     * same stdin reaches the runner untouched.
     */
    static final List<String> COMMAND = List.of("/bin/sh", "-c", "read -r go && exec python3 " + RUNNER);
    static final String GO = "go\n";

    private PodSpecs() {
    }

    /** A new, unique pod name (DNS label). */
    static String podName() {
        return "dea-sandbox-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    /** One one-use, hardened, network-less runner pod: every field here is asserted in PodSpecsTest. */
    static Pod pod(KubernetesConfig config, String namespace, String name, String instanceId, String owner) {
        var sandbox = config.sandbox();
        Map<String, Quantity> limits = Map.of(
                "cpu", new Quantity(Math.max(1, Math.round(sandbox.cpus() * 1000)) + "m"),
                "memory", new Quantity(sandbox.memoryMb() + "Mi"));
        return new PodBuilder()
                .withNewMetadata()
                    .withName(name)
                    .withNamespace(namespace)
                    .withLabels(podLabels(instanceId, owner))
                .endMetadata()
                .withNewSpec()
                    .withRestartPolicy("Never")
                    .withActiveDeadlineSeconds(config.activeDeadlineSeconds())
                    .withRuntimeClassName(config.runtimeClass().orElse(null))
                    .withAutomountServiceAccountToken(false)
                    .withEnableServiceLinks(false)
                    .withHostNetwork(false)
                    .withHostPID(false)
                    .withHostIPC(false)
                    .withTerminationGracePeriodSeconds(0L)
                    .withNewSecurityContext()
                        .withRunAsNonRoot(true)
                        .withRunAsUser(SANDBOX_UID)
                        .withRunAsGroup(SANDBOX_UID)
                        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                    .endSecurityContext()
                    .addNewContainer()
                        .withName(CONTAINER)
                        .withImage(sandbox.image())
                        .withImagePullPolicy("IfNotPresent")
                        .withCommand(COMMAND)
                        .withStdin(true)
                        .withStdinOnce(true)
                        .withTty(false)
                        .withNewResources().withLimits(limits).withRequests(limits).endResources()
                        .withNewSecurityContext()
                            .withRunAsNonRoot(true)
                            .withRunAsUser(SANDBOX_UID)
                            .withRunAsGroup(SANDBOX_UID)
                            .withReadOnlyRootFilesystem(true)
                            .withAllowPrivilegeEscalation(false)
                            .withPrivileged(false)
                            .withNewCapabilities().withDrop("ALL").endCapabilities()
                            .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                        .endSecurityContext()
                        .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                    .endContainer()
                    // Memory-backed like the Docker backend's tmpfs: counts against the memory limit too.
                    .addNewVolume()
                        .withName("tmp")
                        .withNewEmptyDir().withMedium("Memory").withSizeLimit(new Quantity(sandbox.tmpfsMb() + "Mi")).endEmptyDir()
                    .endVolume()
                .endSpec()
                .build();
    }

    /** Denies all ingress and egress of sandbox pods: no rules under both policy types. */
    static NetworkPolicy denyAll(String namespace) {
        return new NetworkPolicyBuilder()
                .withNewMetadata()
                    .withName(NETWORK_POLICY)
                    .withNamespace(namespace)
                    .withLabels(Map.of("app.kubernetes.io/part-of", "data-execution-agent"))
                .endMetadata()
                .withNewSpec()
                    .withNewPodSelector().withMatchLabels(Map.of(LABEL, "true")).endPodSelector()
                    .withPolicyTypes("Ingress", "Egress")
                .endSpec()
                .build();
    }

    /** Whether a policy found in the namespace denies what {@link #denyAll} denies. */
    static boolean deniesAll(NetworkPolicy p) {
        var spec = p.getSpec();
        return spec != null && spec.getPodSelector() != null
                && Map.of(LABEL, "true").equals(spec.getPodSelector().getMatchLabels())
                && (spec.getPodSelector().getMatchExpressions() == null || spec.getPodSelector().getMatchExpressions().isEmpty())
                && spec.getPolicyTypes() != null && spec.getPolicyTypes().containsAll(List.of("Ingress", "Egress"))
                && (spec.getIngress() == null || spec.getIngress().isEmpty())
                && (spec.getEgress() == null || spec.getEgress().isEmpty());
    }

    /** The labels of every sandbox pod: reaping and the NetworkPolicy check select on them. */
    static Map<String, String> podLabels(String instanceId, String owner) {
        return Map.of(LABEL, "true", INSTANCE_LABEL, instanceId, OWNER_LABEL, owner);
    }

    /**
     * Whether {@code p} opens traffic to or from a pod with {@code labels}: NetworkPolicies add
     * up, so any policy that selects sandbox pods and has a rule allows what the rule says, deny-all
     * or not (an "allow DNS" policy is a way out).
     */
    static boolean opens(NetworkPolicy p, Map<String, String> labels) {
        var spec = p.getSpec();
        if (spec == null || !selects(spec.getPodSelector(), labels)) {
            return false;
        }
        return spec.getIngress() != null && !spec.getIngress().isEmpty()
                || spec.getEgress() != null && !spec.getEgress().isEmpty();
    }

    /** Kubernetes' label selector semantics; an empty selector selects every pod, an unknown operator counts as selecting. */
    static boolean selects(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return true;
        }
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (var r : selector.getMatchExpressions()) {
                String value = labels.get(r.getKey());
                List<String> values = r.getValues() == null ? List.of() : r.getValues();
                boolean matches = switch (String.valueOf(r.getOperator())) {
                    case "In" -> value != null && values.contains(value);
                    case "NotIn" -> value == null || !values.contains(value);
                    case "Exists" -> value != null;
                    case "DoesNotExist" -> value == null;
                    default -> true;
                };
                if (!matches) {
                    return false;
                }
            }
        }
        return true;
    }
}
