package dev.dea.doctor;

import dev.dea.config.SandboxConfig;
import dev.dea.error.Causes;
import dev.dea.sandbox.kubernetes.KubernetesSandboxes;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The Kubernetes sandbox backend's needs, instead of the Docker checks when
 * SANDBOX_BACKEND=kubernetes: the API server, the sandbox namespace, the agent's rights there
 * (one SelfSubjectAccessReview per verb the backend uses, and a few it must not have), the
 * RuntimeClass and the deny-all NetworkPolicy.
 */
final class KubernetesChecks {
    static final String API = "kubernetes api";
    static final String NAMESPACE = "sandbox namespace";
    static final String RBAC = "sandbox rbac";
    static final String RUNTIME_CLASS = "sandbox runtime class";
    static final String POLICY = "sandbox network policy";
    private static final String API_REMEDY = "run the agent in the cluster under its ServiceAccount "
            + "(deploy/kubernetes/agent.yaml), or point KUBECONFIG at the cluster's kubeconfig";
    private static final String ROLE_REMEDY = "kubectl apply -f deploy/kubernetes/agent-rbac.yaml (Role dea-sandbox-manager "
            + "bound to the agent's ServiceAccount in the sandbox namespace)";

    /** What the backend does, as (group, resource, subresource, verb). */
    private static final List<Access> NEEDED = List.of(
            new Access("", "pods", "", "create"), new Access("", "pods", "", "get"),
            new Access("", "pods", "", "list"), new Access("", "pods", "", "watch"),
            new Access("", "pods", "", "delete"), new Access("", "pods", "attach", "create"),
            new Access("networking.k8s.io", "networkpolicies", "", "get"),
            new Access("networking.k8s.io", "networkpolicies", "", "list"),
            new Access("networking.k8s.io", "networkpolicies", "", "create"));
    /** Rights the agent has no use for: having them widens what a compromised agent could do. */
    private static final List<Access> EXCESS = List.of(
            new Access("", "secrets", "", "get"), new Access("", "secrets", "", "list"),
            new Access("", "configmaps", "", "list"), new Access("", "serviceaccounts", "token", "create"),
            new Access("rbac.authorization.k8s.io", "rolebindings", "", "create"),
            new Access("*", "*", "", "*"));

    private record Access(String group, String resource, String subresource, String verb) {
        String text() {
            return verb + " " + (group.isEmpty() ? "" : group + "/") + resource + (subresource.isEmpty() ? "" : "/" + subresource);
        }
    }

    private KubernetesChecks() {
    }

    /** With fabric8's standard client (in-cluster service account, else KUBECONFIG / ~/.kube/config). */
    static List<Check> run(SandboxConfig config) {
        KubernetesClient client;
        try {
            client = KubernetesSandboxes.defaultClient();
        } catch (RuntimeException e) {
            List<Check> checks = new ArrayList<>();
            checks.add(Check.fail(API, "no usable client configuration: " + Causes.rootMessage(e), API_REMEDY));
            return skipRest(checks);
        }
        try (client) {
            return run(config, client);
        }
    }

    static List<Check> run(SandboxConfig config, KubernetesClient client) {
        List<Check> checks = new ArrayList<>();
        String namespace = KubernetesSandboxes.namespaceOf(config.kubernetes().namespace(), client);
        String master = client.getConfiguration().getMasterUrl();
        try {
            VersionInfo version = client.getKubernetesVersion();
            checks.add(Check.ok(API, "Kubernetes " + version.getGitVersion() + " at " + master));
        } catch (KubernetesClientException e) {
            if (e.getCode() <= 0) {
                checks.add(Check.fail(API, "not reachable at " + master + ": " + Causes.rootMessage(e), API_REMEDY));
                return skipRest(checks);
            }
            checks.add(Check.ok(API, "answers at " + master + " (its version is not readable: HTTP " + e.getCode() + ")"));
        }
        checks.add(namespace(client, namespace));
        checks.add(rbac(client, namespace));
        checks.add(runtimeClass(client, config));
        checks.add(policy(client, namespace));
        return checks;
    }

    private static Check namespace(KubernetesClient client, String namespace) {
        try {
            if (client.namespaces().withName(namespace).get() == null) {
                return Check.fail(NAMESPACE, namespace + " does not exist",
                        "kubectl apply -f deploy/kubernetes/namespaces.yaml, or set SANDBOX_K8S_NAMESPACE");
            }
            return Check.ok(NAMESPACE, namespace);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403) {
                // The agent's Role is namespaced on purpose: it cannot read Namespace objects.
                return Check.ok(NAMESPACE, namespace + " (not readable by the agent, as its Role intends; the rights "
                        + "below are checked in it)");
            }
            return Check.fail(NAMESPACE, namespace + " could not be read: " + Causes.rootMessage(e), API_REMEDY);
        }
    }

    private static Check rbac(KubernetesClient client, String namespace) {
        List<String> missing = new ArrayList<>();
        List<String> excess = new ArrayList<>();
        try {
            for (Access a : NEEDED) {
                if (!allowed(client, namespace, a)) {
                    missing.add(a.text());
                }
            }
            for (Access a : EXCESS) {
                if (allowed(client, namespace, a)) {
                    excess.add(a.text());
                }
            }
        } catch (KubernetesClientException e) {
            return Check.fail(RBAC, "the agent's rights in " + namespace + " could not be reviewed "
                    + "(SelfSubjectAccessReview): " + Causes.rootMessage(e), ROLE_REMEDY);
        }
        if (!missing.isEmpty()) {
            return Check.fail(RBAC, "in " + namespace + " the agent may not " + String.join(", ", missing), ROLE_REMEDY);
        }
        String done = "in " + namespace + " the agent may create, get, list, watch and delete pods, attach to them, "
                + "read, list and create NetworkPolicies";
        if (!excess.isEmpty()) {
            return Check.warn(RBAC, done + "; it may also " + String.join(", ", excess) + ", which it never needs",
                    "bind only the Role of deploy/kubernetes/agent-rbac.yaml to the agent's ServiceAccount");
        }
        return Check.ok(RBAC, done + ", and nothing more of what was probed (secrets, configmaps, tokens, role bindings)");
    }

    private static boolean allowed(KubernetesClient client, String namespace, Access a) {
        ResourceAttributes attributes = new ResourceAttributesBuilder().withNamespace(namespace).withGroup(a.group())
                .withResource(a.resource()).withSubresource(a.subresource().isEmpty() ? null : a.subresource())
                .withVerb(a.verb()).build();
        SelfSubjectAccessReview review = new SelfSubjectAccessReviewBuilder().withNewSpec()
                .withResourceAttributes(attributes).endSpec().build();
        SelfSubjectAccessReview answer = client.authorization().v1().selfSubjectAccessReview().create(review);
        return answer != null && answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
    }

    private static Check runtimeClass(KubernetesClient client, SandboxConfig config) {
        if (config.kubernetes().runtimeClass().isEmpty()) {
            return Check.ok(RUNTIME_CLASS, "the cluster's default (SANDBOX_RUNTIME_CLASS is not set)");
        }
        String name = config.kubernetes().runtimeClass().get();
        return read(RUNTIME_CLASS, c -> c.resources(RuntimeClass.class).withName(name).get(), client,
                (RuntimeClass found) -> Check.ok(RUNTIME_CLASS, name + " (handler " + found.getHandler() + ")"),
                () -> Check.fail(RUNTIME_CLASS, "RuntimeClass " + name + " does not exist", "install the runtime on the "
                        + "nodes and kubectl apply -f deploy/kubernetes/runtimeclass-gvisor.yaml, or unset SANDBOX_RUNTIME_CLASS"),
                name + " (the agent may not read RuntimeClasses, a cluster-scoped kind; a missing one makes every pod "
                        + "start fail with a 503 that names it)");
    }

    private static Check policy(KubernetesClient client, String namespace) {
        String name = KubernetesSandboxes.NETWORK_POLICY;
        List<String> opening;
        try {
            // Any instance and owner: a policy that opens some agent's sandbox pods is a way out all the same.
            opening = KubernetesSandboxes.opening(client.network().v1().networkPolicies().inNamespace(namespace).list()
                    .getItems(), "", "");
        } catch (KubernetesClientException e) {
            return Check.fail(POLICY, "the NetworkPolicies of " + namespace + " could not be listed: "
                    + Causes.rootMessage(e), ROLE_REMEDY);
        }
        if (!opening.isEmpty()) {
            return Check.fail(POLICY, "NetworkPolicies " + opening + " in " + namespace + " select sandbox pods and allow"
                    + " traffic, which " + name + " cannot take back; the agent refuses to start pods",
                    "keep those policies off pods labelled dev.dea.sandbox=true");
        }
        return read(POLICY, c -> c.network().v1().networkPolicies().inNamespace(namespace).withName(name).get(), client,
                (NetworkPolicy found) -> KubernetesSandboxes.deniesAll(found)
                        ? Check.ok(POLICY, namespace + "/" + name + " denies all ingress and egress of sandbox pods")
                        : Check.fail(POLICY, namespace + "/" + name + " allows traffic to or from sandbox pods; the agent "
                                + "refuses to start pods", "kubectl apply -f deploy/kubernetes/sandbox-networkpolicy.yaml"),
                () -> Check.warn(POLICY, namespace + "/" + name + " does not exist yet; the agent creates it before its "
                        + "first pod", "kubectl apply -f deploy/kubernetes/sandbox-networkpolicy.yaml to have it in place"),
                null);
    }

    /** A get that is OK when found, {@code missing} when absent, and {@code forbidden} (OK) or FAIL on a 403. */
    private static <T> Check read(String name, Function<KubernetesClient, T> get, KubernetesClient client,
                                  Function<T, Check> found, java.util.function.Supplier<Check> missing, String forbidden) {
        try {
            T value = get.apply(client);
            return value == null ? missing.get() : found.apply(value);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403 && forbidden != null) {
                return Check.ok(name, forbidden);
            }
            return Check.fail(name, "could not be read: " + Causes.rootMessage(e), ROLE_REMEDY);
        }
    }

    private static List<Check> skipRest(List<Check> checks) {
        for (String name : List.of(NAMESPACE, RBAC, RUNTIME_CLASS, POLICY)) {
            checks.add(Check.skip(name, "the Kubernetes API server is not reachable"));
        }
        return checks;
    }
}
