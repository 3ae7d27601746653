package dev.dea.platform;

import dev.dea.config.ConfigLoader;
import dev.dea.identity.AgentIdentity;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistrationSpecTest {
    private static final String TOKEN = "another-secret-token-abcdefghijklmnop";

    private static RegistrationSpec spec(String base, String path, String agentId) {
        return RegistrationSpec.of(URI.create(base), path, agentId, Optional.empty(), "dev", "postgresql",
                Map.of(), TOKEN, Duration.ofSeconds(30));
    }

    @Test
    void defaultPathGivesRegisterHeartbeatAndDeregisterUrlsUnderAgents() {
        RegistrationSpec s = spec("https://core.example.com", PlatformClient.DEFAULT_REGISTRATION_PATH, "agent-1");
        assertThat(s.registerUrl()).hasToString("https://core.example.com/api/v1/agents/register");
        assertThat(s.heartbeatUrl()).hasToString("https://core.example.com/api/v1/agents/agent-1/heartbeat");
        assertThat(s.deregisterUrl()).hasToString("https://core.example.com/api/v1/agents/agent-1/deregister");
    }

    @Test
    void corePathPrefixIsKeptAndTrailingSlashesAreIgnored() {
        RegistrationSpec s = spec("https://core.example.com:8443/core/", "/v2/nodes/enrol/", "a.b_c~d");
        assertThat(s.registerUrl()).hasToString("https://core.example.com:8443/core/v2/nodes/enrol");
        assertThat(s.heartbeatUrl()).hasToString("https://core.example.com:8443/core/v2/nodes/a.b_c~d/heartbeat");
        assertThat(s.deregisterUrl()).hasToString("https://core.example.com:8443/core/v2/nodes/a.b_c~d/deregister");
    }

    @Test
    void rejectsAgentIdsThatCannotBeAPathSegment() {
        assertThatThrownBy(() -> spec("https://core.example.com", "/register", "a/b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("AGENT_ID");
        assertThatThrownBy(() -> spec("https://core.example.com", "/register", ""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsNonHttpCoreUrlsAndRelativeRegistrationPaths() {
        assertThatThrownBy(() -> spec("ftp://core.example.com", "/register", "a"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CORE_LOGIC_URL");
        assertThatThrownBy(() -> spec("https://core.example.com", "register", "a"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("REGISTRATION_PATH");
        assertThatThrownBy(() -> spec("https://core.example.com", "/register?x=1", "a"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("REGISTRATION_PATH");
    }

    @Test
    void toStringRedactsTheToken() {
        assertThat(spec("https://core.example.com", "/register", "a").toString())
                .doesNotContain(TOKEN).contains("token=<redacted>");
    }

    @Test
    void withoutAgentIdItRegistersUnderTheIdHealthReports() {
        var config = ConfigLoader.load(Map.of("AGENT_SECRET_TOKEN", TOKEN, "CORE_LOGIC_URL", "https://core.example.com"));
        RegistrationSpec spec = RegistrationSpec.of(config, "/api/v1/agents/register", Duration.ofSeconds(30), "postgresql", Map.of());
        assertThat(spec.agentId()).isEqualTo(AgentIdentity.of(config).id()).startsWith("dea-")
                .matches("[A-Za-z0-9][A-Za-z0-9._~-]{0,127}");
    }

    @Test
    void rejectsANonPositiveHeartbeatInterval() {
        assertThatThrownBy(() -> RegistrationSpec.of(URI.create("https://c.example"), "/r", "a", Optional.empty(),
                "dev", "postgresql", Map.of(), TOKEN, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
