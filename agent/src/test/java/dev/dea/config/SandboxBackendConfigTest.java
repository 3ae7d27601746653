package dev.dea.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SandboxBackendConfigTest {

    @Test
    void dockerIsTheDefaultBackendWithKubernetesSettingsAtTheirDefaults() {
        SandboxConfig sandbox = ConfigLoader.load(Map.of()).sandbox();
        assertThat(sandbox.backend()).isEqualTo(SandboxConfig.Backend.DOCKER);
        assertThat(sandbox.kubernetes()).isEqualTo(KubernetesSettings.defaults());
    }

    @Test
    void readsTheKubernetesBackendAndItsSettings() {
        SandboxConfig sandbox = ConfigLoader.load(Map.of("SANDBOX_BACKEND", "Kubernetes", "SANDBOX_K8S_NAMESPACE", "dea-sandboxes",
                "SANDBOX_RUNTIME_CLASS", "gvisor", "SANDBOX_K8S_START_TIMEOUT_SECONDS", "90",
                "SANDBOX_K8S_POOL_REFILL_PER_SECOND", "10", "SANDBOX_POOL_SIZE", "8")).sandbox();
        assertThat(sandbox.backend()).isEqualTo(SandboxConfig.Backend.KUBERNETES);
        assertThat(sandbox.kubernetes()).isEqualTo(new KubernetesSettings("dea-sandboxes", Optional.of("gvisor"),
                Duration.ofSeconds(90), 10));
        assertThat(sandbox.poolSize()).isEqualTo(8);
    }

    @Test
    void anUnknownBackendAndBadKubernetesSettingsAreReportedWithTheOtherProblems() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("SANDBOX_BACKEND", "nomad", "SANDBOX_K8S_NAMESPACE", "Sandboxes_1",
                "SANDBOX_RUNTIME_CLASS", "g visor", "SANDBOX_K8S_POOL_REFILL_PER_SECOND", "0", "AGENT_PORT", "99999")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(5)
                        .anySatisfy(p -> assertThat(p).startsWith("SANDBOX_BACKEND must be docker").contains("'nomad'"))
                        .anySatisfy(p -> assertThat(p).startsWith("SANDBOX_K8S_NAMESPACE 'Sandboxes_1'"))
                        .anySatisfy(p -> assertThat(p).startsWith("SANDBOX_RUNTIME_CLASS 'g visor'"))
                        .anySatisfy(p -> assertThat(p).startsWith("SANDBOX_K8S_POOL_REFILL_PER_SECOND"))
                        .anySatisfy(p -> assertThat(p).startsWith("AGENT_PORT")));
    }
}
