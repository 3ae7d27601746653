package dev.dea.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.dea.cache.ColumnMeta;
import dev.dea.cache.FrameMeta;
import dev.dea.cache.Provenance;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.frame.ColumnKind;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
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

    private static FrameMeta frame(long rows, long bytes, int columns) {
        return new FrameMeta("k-" + rows, Collections.nCopies(columns, new ColumnMeta("n", ColumnKind.INT64, "int8", "int64",
                Map.of())), rows, bytes, false, Instant.EPOCH, Provenance.sql("SELECT 1", Optional.empty()));
    }

    @Test
    void aMemoryLimitWithInputsSaysHowLargeTheyWereAndWhatToChange() throws Exception {
        AgentException died = RunnerErrors.died(exited(137, true), "ended", "", 256, "abc");
        var e = RunnerErrors.withInputSizes(died, List.of(frame(1_000_000, 119_296_620, 8)));
        assertThat(e.type()).isEqualTo(ErrorType.MEMORY_LIMIT);
        assertThat(e.getMessage()).startsWith(died.getMessage())
                .contains("Its input frame holds 1,000,000 rows (113.8 MB as stored)")
                .contains("filter or aggregate in SQL first").contains("SANDBOX_MEMORY_MB");
        assertThat(e.details()).containsEntry("input_rows", 1_000_000L).containsEntry("input_bytes", 119_296_620L)
                .containsEntry("oom_killed", true).containsEntry("exit_code", 137L);
    }

    @Test
    void severalInputsAreSummedAndTheLargestNamed() throws Exception {
        AgentException died = RunnerErrors.died(exited(137, false), "ended", "", 256, "abc");
        var e = RunnerErrors.withInputSizes(died, List.of(frame(3, 900, 2), frame(250_000, 30_000_000, 5)));
        assertThat(e.getMessage()).contains("Its 2 input frames hold 250,003 rows (28.6 MB as stored; "
                + "the largest 250,000 rows x 5 columns)");
        assertThat(e.details()).containsEntry("input_rows", 250_003L).containsEntry("input_bytes", 30_000_900L);
    }

    @Test
    void otherErrorsAndStepsWithoutInputsAreLeftAsTheyAre() throws Exception {
        AgentException died = RunnerErrors.died(exited(137, true), "ended", "", 256, "abc");
        assertThat(RunnerErrors.withInputSizes(died, List.of())).isSameAs(died);
        AgentException crashed = RunnerErrors.died(exited(1, false), "ended", "boom", 256, "abc");
        assertThat(RunnerErrors.withInputSizes(crashed, List.of(frame(10, 100, 1)))).isSameAs(crashed);
    }
}
