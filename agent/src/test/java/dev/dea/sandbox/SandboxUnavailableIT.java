package dev.dea.sandbox;

import dev.dea.config.SandboxConfig;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Without an engine or an image the service still starts, reports why, and fails executions with what to do. */
class SandboxUnavailableIT {
    @Test
    void missingImageSaysHowToBuildIt() throws Exception {
        SandboxConfig config = new SandboxConfig("dea-sandbox:no-such-tag", Duration.ofSeconds(5), 256, 1.0, 64, 1, 0, 0,
                Optional.empty(), 4096, 16);
        try (SandboxFixture fixture = new SandboxFixture();
             SandboxService service = new SandboxService(config, fixture.cache)) {
            SandboxStatus status = service.status();
            assertThat(status.engineReachable()).isTrue();
            assertThat(status.imagePresent()).isFalse();
            assertThat(status.reason()).hasValueSatisfying(r -> assertThat(r).contains("build-offline.sh"));
            AgentException e = catchThrowableOfType(AgentException.class,
                    () -> service.execute(new SandboxJob("result_df = 1", Map.of(), Optional.empty())));
            assertThat(e.type()).isEqualTo(ErrorType.SANDBOX_UNAVAILABLE);
            assertThat(e.getMessage()).contains("build-offline.sh");
        }
    }

    @Test
    void unreachableEngineSaysHowToSetItUp() throws Exception {
        // docker-java reads DOCKER_HOST from system properties too; the service builds its client lazily.
        String previous = System.getProperty("DOCKER_HOST");
        System.setProperty("DOCKER_HOST", "unix:///tmp/dea-no-docker-here.sock");
        try (SandboxFixture fixture = new SandboxFixture();
             SandboxService service = new SandboxService(SandboxFixture.config(Duration.ofSeconds(5), 1, 0, Optional.empty()),
                     fixture.cache)) {
            SandboxStatus status = service.status();
            assertThat(status.engineReachable()).isFalse();
            assertThat(status.reason()).hasValueSatisfying(r -> assertThat(r).contains("setup-docker.sh"));
            AgentException e = catchThrowableOfType(AgentException.class,
                    () -> service.execute(new SandboxJob("result_df = 1", Map.of(), Optional.empty())));
            assertThat(e.type()).isEqualTo(ErrorType.SANDBOX_UNAVAILABLE);
            assertThat(e.getMessage()).contains("not reachable").contains("setup-docker.sh");
        } finally {
            if (previous == null) {
                System.clearProperty("DOCKER_HOST");
            } else {
                System.setProperty("DOCKER_HOST", previous);
            }
        }
    }
}
