package dev.dea.sandbox.kubernetes;

import dev.dea.error.Causes;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a pod's status and the API server's answers mean for the caller, in the agent's
 * error types (docs/kubernetes.md, "Errors"): OOMKilled is MEMORY_LIMIT, the pod deadline
 * is TIMEOUT, a full ResourceQuota is TOO_MANY_REQUESTS (the namespace has room again once
 * running sandboxes end), and everything that keeps pods from running (an unreachable or
 * refusing API server, nothing schedulable, an image that cannot be pulled) is
 * SANDBOX_UNAVAILABLE with the reason Kubernetes gave.
 */
final class PodFailures {
    /** Waiting reasons that will not fix themselves within a start-up bound. */
    private static final Set<String> HOPELESS_WAITING = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError", "RunContainerError");
    static final long QUOTA_RETRY_AFTER_SECONDS = 5;
    private static final long EXIT_SIGKILL = 137;

    private PodFailures() {
    }

    static AgentException unavailable(String message, Throwable cause) {
        return new AgentException(ErrorType.SANDBOX_UNAVAILABLE, message, Map.of(), cause);
    }

    /** An API call that failed: unreachable, forbidden, quota, or another refusal. */
    static AgentException api(String what, KubernetesClientException e, String masterUrl) {
        String reason = Optional.ofNullable(e.getStatus()).map(s -> s.getMessage()).orElse(Causes.rootMessage(e));
        if (e.getCode() == 403 && reason != null && reason.contains("exceeded quota")) {
            return new AgentException(ErrorType.TOO_MANY_REQUESTS, "The sandbox namespace's ResourceQuota is full ("
                    + reason + "); retry after " + QUOTA_RETRY_AFTER_SECONDS + " s",
                    Map.of("retry_after_seconds", QUOTA_RETRY_AFTER_SECONDS), e);
        }
        if (e.getCode() == 403 && reason != null && !rbacDenial(reason)) {
            // Same status as RBAC, another cause: Pod Security admission, a webhook or a policy engine.
            return unavailable("The Kubernetes API server refused to " + what + " (HTTP 403: " + reason + "): an"
                    + " admission policy of the cluster rejected it, not the agent's Role; the sandbox pod spec meets"
                    + " Pod Security \"restricted\" (docs/kubernetes.md), so look at the cluster's webhooks and"
                    + " policies for the sandbox namespace", e);
        }
        if (e.getCode() == 401 || e.getCode() == 403) {
            return unavailable("The Kubernetes API server refused to " + what + " (HTTP " + e.getCode() + ": " + reason
                    + "); the agent's ServiceAccount needs the Role of deploy/kubernetes/agent-rbac.yaml", e);
        }
        if (e.getCode() > 0) {
            return unavailable("The Kubernetes API server refused to " + what + " (HTTP " + e.getCode() + ": " + reason + ")", e);
        }
        return unavailable("The Kubernetes API server at " + masterUrl + " is not reachable (" + what + ": "
                + Causes.rootMessage(e) + ")", e);
    }

    /**
     * Whether a 403's message is the RBAC authorizer's ("User \"...\" cannot create resource
     * \"pods\" ..."); admission denials say "violates PodSecurity", "admission webhook ... denied".
     */
    static boolean rbacDenial(String message) {
        return message.contains(" cannot ") && message.contains("resource \"");
    }

    /** Whether a pod has settled one way or the other: running, finished, or stuck for good. */
    static boolean settled(Pod pod) {
        if (pod == null || pod.getStatus() == null) {
            return pod == null;
        }
        String phase = pod.getStatus().getPhase();
        if ("Running".equals(phase)) {
            return container(pod).map(c -> c.getState() != null && c.getState().getRunning() != null).orElse(true)
                    || terminated(pod).isPresent();
        }
        return "Succeeded".equals(phase) || "Failed".equals(phase) || terminated(pod).isPresent()
                || waiting(pod).map(w -> HOPELESS_WAITING.contains(w.getReason())).orElse(false);
    }

    static boolean running(Pod pod) {
        return pod != null && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())
                && terminated(pod).isEmpty();
    }

    /** A pod that settled without running: why, for the caller. */
    static AgentException notStarted(Pod pod, int memoryMb, Duration timeout) {
        if (pod == null) {
            return unavailable("The sandbox pod was deleted before it started", null);
        }
        Optional<ContainerStateWaiting> waiting = waiting(pod);
        if (waiting.isPresent() && HOPELESS_WAITING.contains(waiting.get().getReason())) {
            return unavailable("The sandbox pod " + name(pod) + " cannot start its container (" + waiting.get().getReason()
                    + ": " + Optional.ofNullable(waiting.get().getMessage()).orElse("") + "); is the sandbox image"
                    + " available to the cluster's nodes?", null);
        }
        return died(pod, "the pod ended before its runner was ready", "", memoryMb, timeout);
    }

    /** The start-up bound passed and the pod does not run: unschedulable, or just slow. */
    static AgentException tooSlow(Pod pod, Duration bound) {
        String why = pod == null ? "it was deleted"
                : unschedulable(pod).map(c -> "it cannot be scheduled: " + c.getMessage())
                .or(() -> waiting(pod).map(w -> "its container is waiting: " + w.getReason()
                        + Optional.ofNullable(w.getMessage()).map(m -> " (" + m + ")").orElse("")))
                .orElse("its phase is " + Optional.ofNullable(pod.getStatus()).map(s -> s.getPhase()).orElse("unknown"));
        return new AgentException(ErrorType.SANDBOX_UNAVAILABLE, "No sandbox pod was running within " + bound.toSeconds()
                + " s (SANDBOX_K8S_START_TIMEOUT_SECONDS): " + why, Map.of("reason", why), null);
    }

    /**
     * The runner's stream ended without a result: OOMKilled (or SIGKILL) is MEMORY_LIMIT, the
     * pod's activeDeadlineSeconds is TIMEOUT, a pod still running SANDBOX_UNAVAILABLE (the
     * connection broke), anything else EXECUTION_ERROR with the exit code.
     */
    static AgentException died(Pod pod, String what, String stderrTail, int memoryMb, Duration timeout) {
        Map<String, Object> details = new LinkedHashMap<>();
        if (pod == null) {
            return unavailable("The sandbox ended without a result (" + what + ") and its pod is gone", null);
        }
        if (pod.getStatus() != null && "DeadlineExceeded".equals(pod.getStatus().getReason())) {
            return new AgentException(ErrorType.TIMEOUT, "The sandbox pod " + name(pod) + " reached its deadline"
                    + " (activeDeadlineSeconds, from SANDBOX_TIMEOUT_SECONDS " + timeout.toSeconds() + " s) and was"
                    + " stopped", Map.of("timeout_seconds", timeout.toSeconds()), null);
        }
        Optional<ContainerStateTerminated> end = terminated(pod);
        Integer exit = end.map(ContainerStateTerminated::getExitCode).orElse(null);
        boolean oom = end.map(t -> "OOMKilled".equals(t.getReason())).orElse(false);
        if (exit != null) {
            details.put("exit_code", exit);
        }
        details.put("oom_killed", oom);
        if (!stderrTail.isEmpty()) {
            details.put("runner_stderr", stderrTail);
        }
        if (oom || (exit != null && exit == EXIT_SIGKILL)) {
            return new AgentException(ErrorType.MEMORY_LIMIT, "The code exceeded the sandbox memory limit of " + memoryMb
                    + " MB (SANDBOX_MEMORY_MB) and was killed (exit code " + exit + ", OOMKilled " + oom + ")", details, null);
        }
        if (end.isEmpty() && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())) {
            // The runner still runs: the connection to it broke (API server, node, network), not the code.
            return new AgentException(ErrorType.SANDBOX_UNAVAILABLE, "The connection to sandbox pod " + name(pod)
                    + " ended while the pod still ran (" + what + "): the API server or the node's connection broke",
                    details, null);
        }
        return new AgentException(ErrorType.EXECUTION_ERROR, "The sandbox ended without a result: " + what + "; pod "
                + name(pod) + (end.isPresent() ? " exited with code " + exit + " (" + end.get().getReason() + ")"
                : " is " + Optional.ofNullable(pod.getStatus()).map(s -> s.getPhase()).orElse("in an unknown phase")),
                details, null);
    }

    static Optional<PodCondition> unschedulable(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getConditions().stream()
                .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())
                        && "Unschedulable".equals(c.getReason()))
                .findFirst();
    }

    static Optional<ContainerStateTerminated> terminated(Pod pod) {
        return container(pod).map(c -> c.getState() == null ? null : c.getState().getTerminated());
    }

    private static Optional<ContainerStateWaiting> waiting(Pod pod) {
        return container(pod).map(c -> c.getState() == null ? null : c.getState().getWaiting());
    }

    private static Optional<ContainerStatus> container(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream().filter(c -> PodSpecs.CONTAINER.equals(c.getName())).findFirst();
    }

    private static String name(Pod pod) {
        return pod.getMetadata() == null ? "?" : pod.getMetadata().getName();
    }

}
