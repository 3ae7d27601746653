package dev.dea.sandbox.kubernetes;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class PodFailuresTest {
    private static Pod pod(String phase, Integer exitCode, String reason) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName("dea-sandbox-x").endMetadata();
        var status = b.withNewStatus().withPhase(phase).addNewContainerStatus().withName(PodSpecs.CONTAINER);
        if (exitCode != null) {
            status = status.withNewState().withNewTerminated().withExitCode(exitCode).withReason(reason)
                    .endTerminated().endState();
        } else {
            status = status.withNewState().withNewRunning().endRunning().endState();
        }
        return status.endContainerStatus().endStatus().build();
    }

    private static io.fabric8.kubernetes.client.KubernetesClientException forbidden(String message) {
        return new io.fabric8.kubernetes.client.KubernetesClientException(new io.fabric8.kubernetes.api.model.StatusBuilder()
                .withCode(403).withReason("Forbidden").withMessage(message).build());
    }

    @Test
    void aForbiddenFromRbacNamesTheRoleAndOneFromAdmissionDoesNot() {
        AgentException rbac = PodFailures.api("create the sandbox pod", forbidden("pods is forbidden: User"
                + " \"system:serviceaccount:dea:dea-agent\" cannot create resource \"pods\" in API group \"\" in the"
                + " namespace \"dea-sandboxes\""), "https://k8s");
        assertThat(rbac.type()).isEqualTo(ErrorType.SANDBOX_UNAVAILABLE);
        assertThat(rbac.getMessage()).contains("agent-rbac.yaml").contains("cannot create resource");

        AgentException podSecurity = PodFailures.api("create the sandbox pod", forbidden("pods \"dea-sandbox-1\" is"
                + " forbidden: violates PodSecurity \"restricted:latest\": seccompProfile"), "https://k8s");
        assertThat(podSecurity.type()).isEqualTo(ErrorType.SANDBOX_UNAVAILABLE);
        assertThat(podSecurity.getMessage()).contains("violates PodSecurity").contains("admission policy")
                .doesNotContain("agent-rbac.yaml");
        AgentException webhook = PodFailures.api("create the sandbox pod", forbidden("admission webhook"
                + " \"validation.gatekeeper.sh\" denied the request: [no-runsc] not allowed"), "https://k8s");
        assertThat(webhook.getMessage()).contains("gatekeeper").contains("admission policy").doesNotContain("agent-rbac");
    }

    @Test
    void aStreamThatEndsWhileThePodStillRunsIsTheConnectionsFaultNotTheCodes() {
        AgentException e = PodFailures.died(pod("Running", null, null), "the runner's output ended", "", 256,
                Duration.ofSeconds(100));
        assertThat(e.type()).isEqualTo(ErrorType.SANDBOX_UNAVAILABLE);
        assertThat(e.getMessage()).contains("dea-sandbox-x").contains("still ran");
    }

    @Test
    void aRunnerThatExitedIsTheStepsErrorWithItsExitCode() {
        AgentException e = PodFailures.died(pod("Failed", 3, "Error"), "the runner's output ended", "boom", 256,
                Duration.ofSeconds(100));
        assertThat(e.type()).isEqualTo(ErrorType.EXECUTION_ERROR);
        assertThat(e.details()).containsEntry("exit_code", 3);
        AgentException oom = PodFailures.died(pod("Failed", 137, "OOMKilled"), "x", "", 256, Duration.ofSeconds(100));
        assertThat(oom.type()).isEqualTo(ErrorType.MEMORY_LIMIT);
    }
}
