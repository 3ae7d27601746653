package dev.dea.sandbox.kubernetes;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Keeps sandbox pods off the network before any starts: the namespace's deny-all NetworkPolicy
 * ({@link PodSpecs#denyAll}) is created when missing, one of that name that allows traffic stops
 * every start, and so does any other policy that selects sandbox pods and has a rule (policies
 * add up: deny-all cannot take back what another allows). Policies change under a running
 * agent, so a check holds for {@link #RECHECK} and is forgotten when the API server was
 * unreachable (a rebuilt control plane may have lost it).
 */
final class SandboxNetworkPolicy {
    private static final Logger log = LoggerFactory.getLogger(SandboxNetworkPolicy.class);
    static final Duration RECHECK = Duration.ofSeconds(60);

    /** The backend's API wrapper: fabric8 errors become the backend's diagnosed exceptions. */
    interface Api {
        <T> T call(String what, Supplier<T> call);
    }

    private final KubernetesClient client;
    private final String namespace;
    private final Map<String, String> podLabels;
    private final Api api;
    /** When the namespace's policies were last found to keep sandboxes off the network; 0: never, or check again. */
    private volatile long checkedAt;

    SandboxNetworkPolicy(KubernetesClient client, String namespace, Map<String, String> podLabels, Api api) {
        this.client = requireNonNull(client, "client");
        this.namespace = requireNonNull(namespace, "namespace");
        this.podLabels = Map.copyOf(podLabels);
        this.api = requireNonNull(api, "api");
    }

    /** The names of the policies among {@code policies}, besides deny-all, that select pods with these labels and allow traffic. */
    static List<String> opening(List<NetworkPolicy> policies, Map<String, String> labels) {
        return policies.stream()
                .filter(p -> !PodSpecs.NETWORK_POLICY.equals(p.getMetadata().getName()) && PodSpecs.opens(p, labels))
                .map(p -> p.getMetadata().getName()).sorted().toList();
    }

    /** Checks unless the last check is recent; throws SANDBOX_UNAVAILABLE when pods must not start. */
    void ensure() {
        long at = checkedAt;
        if (at == 0 || System.nanoTime() - at >= RECHECK.toNanos()) {
            check();
        }
    }

    /** The next {@link #ensure()} checks again. */
    void forget() {
        checkedAt = 0;
    }

    void check() {
        NetworkPolicy found = api.call("read the sandbox NetworkPolicy", () -> client.network().v1().networkPolicies()
                .inNamespace(namespace).withName(PodSpecs.NETWORK_POLICY).get());
        if (found == null) {
            api.call("create the sandbox NetworkPolicy", () -> client.network().v1().networkPolicies()
                    .inNamespace(namespace).resource(PodSpecs.denyAll(namespace)).create());
            log.info("Created NetworkPolicy {}/{} denying all traffic of sandbox pods", namespace, PodSpecs.NETWORK_POLICY);
        } else if (!PodSpecs.deniesAll(found)) {
            throw PodFailures.unavailable("NetworkPolicy " + namespace + "/" + PodSpecs.NETWORK_POLICY + " does not deny all"
                    + " ingress and egress of sandbox pods; delete it (the agent recreates it) or apply"
                    + " deploy/kubernetes/sandbox-networkpolicy.yaml", null);
        }
        List<String> opening = opening(api.call("list the NetworkPolicies of the sandbox namespace", () -> client
                .network().v1().networkPolicies().inNamespace(namespace).list()).getItems(), podLabels);
        if (!opening.isEmpty()) {
            throw PodFailures.unavailable("NetworkPolicies " + opening + " in " + namespace + " select sandbox pods and"
                    + " allow traffic, which " + PodSpecs.NETWORK_POLICY + " cannot take back (policies add up); keep"
                    + " them off pods labelled " + PodSpecs.LABEL + "=true", null);
        }
        checkedAt = System.nanoTime();
    }
}
