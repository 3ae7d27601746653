package dev.dea.sandbox;

import dev.dea.config.SandboxConfig;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The same sandbox under gVisor, when the engine has runsc configured (setup-docker.sh does that where it can). */
class RunscSandboxIT {
    @Test
    void runsCodeAndSqlUnderGvisor() throws Exception {
        Path daemon = Path.of("/etc/docker/daemon.json");
        boolean configured = Files.isReadable(daemon) && Files.readString(daemon).contains("\"runsc\"");
        // CI sets gVisor up (sandbox-image/setup-docker.sh): there its absence is a failure, not a skip.
        if ("true".equals(System.getenv("CI"))) {
            org.assertj.core.api.Assertions.assertThat(configured)
                    .as("runsc must be configured in /etc/docker/daemon.json in CI (sandbox-image/setup-docker.sh)").isTrue();
        }
        assumeTrue(configured, "runsc is not configured in /etc/docker/daemon.json");
        SandboxConfig config = SandboxFixture.config(Duration.ofSeconds(20), 2, 2, Optional.of("runsc"));
        try (SandboxFixture fixture = new SandboxFixture(); SandboxService service = fixture.service(config)) {
            long t0 = System.nanoTime();
            SandboxOutcome out = service.execute(new SandboxJob("""
                    n = sql("SELECT count(*) AS n FROM film")
                    result_df = n.assign(doubled=n["n"] * 2)
                    """, Map.of(), Optional.empty(), LiveOutput.NONE, false, fixture.sqlCallback()));
            System.out.println("runsc execution with one sql(): " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            assertThat(fixture.cache.previewRows(out.frame().key(), 1).get(0).toString()).isEqualTo("[1000,2000]");
            AgentException e = catchThrowableOfType(AgentException.class, () -> service.execute(
                    new SandboxJob("import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=2)", Map.of(),
                            Optional.empty())));
            assertThat(e.type()).isEqualTo(ErrorType.EXECUTION_ERROR);
            service.close();
            assertThat(SandboxFixture.containersOf(service, config)).isZero();
        }
    }
}
