package dev.dea.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.identity.AgentIdentity;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ListenCheckTest {
    private static final AgentIdentity SELF = new AgentIdentity("agt-self", "1.2.3");

    private static Optional<JsonNode> health(String json) throws IOException {
        return Optional.of(new ObjectMapper().readTree(json));
    }

    @Test
    void aPortHeldByAProgramThatIsNotAnAgentFailsNamingTheProgram() throws IOException {
        // A bare socket: it accepts but never answers /health, as after a failed start next to another server.
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Check check = ListenCheck.run("127.0.0.1", taken.getLocalPort(), false, SELF);
            assertThat(check.status()).isEqualTo(Check.Status.FAIL);
            assertThat(check.detail()).contains("AGENT_PORT " + taken.getLocalPort())
                    .contains("(pid " + ProcessHandle.current().pid() + ")");
            assertThat(check.remedy()).hasValueSatisfying(r -> assertThat(r).contains("AGENT_PORT"));
        }
    }

    @Test
    void thisAgentAlreadyRunningIsNotAProblem() throws IOException {
        Check check = ListenCheck.held("0.0.0.0:8001", 8001, "java (pid 7)",
                health("{\"status\":\"ok\",\"version\":\"1.2.3\",\"agent_id\":\"agt-self\"}"), SELF);
        assertThat(check.status()).isEqualTo(Check.Status.OK);
        assertThat(check.detail()).contains("this agent").contains("agt-self");
    }

    @Test
    void anotherAgentOnThePortFailsNamingItsId() throws IOException {
        Check check = ListenCheck.held("0.0.0.0:8001", 8001, "java (pid 7)",
                health("{\"status\":\"ok\",\"version\":\"1.2.3\",\"agent_id\":\"agt-other\"}"), SELF);
        assertThat(check.status()).isEqualTo(Check.Status.FAIL);
        assertThat(check.detail()).contains("another Data Execution Agent").contains("agt-other").contains("java (pid 7)");
    }

    @Test
    void anHttpServerWithoutAnAgentIdFails() throws IOException {
        Check check = ListenCheck.held("0.0.0.0:8001", 8001, "python3 (pid 9)", health("{\"status\":\"ok\"}"), SELF);
        assertThat(check.status()).isEqualTo(Check.Status.FAIL);
        assertThat(check.detail()).isEqualTo("AGENT_PORT 8001 is in use on 0.0.0.0:8001 by python3 (pid 9)");
        assertThat(ListenCheck.held("0.0.0.0:8001", 8001, "python3 (pid 9)", Optional.empty(), SELF).status())
                .isEqualTo(Check.Status.FAIL);
    }

    @Test
    void aFreePortIsOk() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThat(ListenCheck.run("127.0.0.1", port, false, SELF).status()).isEqualTo(Check.Status.OK);
    }
}
