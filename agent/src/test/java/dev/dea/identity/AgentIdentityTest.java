package dev.dea.identity;

import dev.dea.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AgentIdentityTest {
    private static final String ID_PATTERN = "[A-Za-z0-9][A-Za-z0-9._~-]{0,127}";

    @Test
    void derivedIdIsStableForOneCacheAndDiffersForAnother() {
        String a = AgentIdentity.derivedId("Build-Host_01", Path.of("/srv/dea/cache"));
        assertThat(a).isEqualTo(AgentIdentity.derivedId("Build-Host_01", Path.of("/srv/dea/./cache")));
        assertThat(a).matches("dea-build-host_01-[0-9a-f]{8}").matches(ID_PATTERN);
        assertThat(AgentIdentity.derivedId("Build-Host_01", Path.of("/srv/dea2/cache"))).isNotEqualTo(a);
    }

    @Test
    void derivedIdFromAVeryLongHostNameStaysAValidAgentId() {
        String id = AgentIdentity.derivedId("h".repeat(300), Path.of("/tmp/c"));
        assertThat(id).hasSize(128).matches(ID_PATTERN);
    }

    @Test
    void agentIdWinsOverTheDerivedOne() {
        var config = ConfigLoader.load(Map.of("AGENT_SECRET_TOKEN", "identity-test-token-0123456789", "AGENT_ID", "agt-7"));
        assertThat(AgentIdentity.of(config).id()).isEqualTo("agt-7");
        assertThat(AgentIdentity.of(config).version()).isNotBlank();
    }
}
