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
