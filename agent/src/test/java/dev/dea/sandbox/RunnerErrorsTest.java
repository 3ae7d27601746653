package dev.dea.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.dea.error.ErrorType;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RunnerErrorsTest {
    private static Optional<InspectContainerResponse.ContainerState> exited(int code, boolean oomKilled) throws Exception {
        // ContainerState is an inner class: read it the way docker-java does, inside an inspect response.
        return Optional.of(new ObjectMapper().readValue("{\"State\":{\"ExitCode\":" + code + ",\"OOMKilled\":"
                + oomKilled + "}}", InspectContainerResponse.class).getState());
    }

    @Test
    void aSigtermExitIsTheEngineStoppingTheContainerNotTheCode() throws Exception {
        var e = RunnerErrors.died(exited(143, false), "the runner's output ended", "", 256, "abc");
        assertThat(e.type()).isEqualTo(ErrorType.SANDBOX_UNAVAILABLE);
        assertThat(e.getMessage()).contains("SIGTERM").contains("abc");
    }

    @Test
    void aSigkillOrAnOomFlagIsTheMemoryLimit() throws Exception {
        assertThat(RunnerErrors.died(exited(137, false), "ended", "", 256, "abc").type()).isEqualTo(ErrorType.MEMORY_LIMIT);
        assertThat(RunnerErrors.died(exited(143, true), "ended", "", 256, "abc").type()).isEqualTo(ErrorType.MEMORY_LIMIT);
    }

    @Test
    void anyOtherExitIsAnExecutionErrorWithItsDiagnosis() throws Exception {
        var e = RunnerErrors.died(exited(1, false), "ended", "boom", 256, "abc");
        assertThat(e.type()).isEqualTo(ErrorType.EXECUTION_ERROR);
        assertThat(e.getMessage()).contains("exited with code 1").contains("boom");
    }
}
