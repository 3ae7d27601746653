package dev.dea;

import io.javalin.Javalin;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class MainTest {
    @Test
    void jettyFailingToBindATakenPortBecomesTheOneLineMessage() throws IOException {
        // The race the probe cannot close: the port is taken between the probe and Jetty's bind.
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Javalin app = Javalin.create();
            RuntimeException thrown = catchThrowableOfType(RuntimeException.class, () -> app.start("127.0.0.1", port));
            app.stop();
            assertThat(Main.bindFailure(thrown, "127.0.0.1", port)).hasValueSatisfying(line -> assertThat(line)
                    .startsWith("error: AGENT_PORT " + port + " is already in use on 127.0.0.1 by ")
                    .contains("(pid " + ProcessHandle.current().pid() + ")")
                    .doesNotContain("\n"));
        }
    }

    @Test
    void otherStartFailuresAreNotMistakenForABusyPort() {
        assertThat(Main.bindFailure(new IllegalStateException("pool could not start"), "0.0.0.0", 8001)).isEmpty();
    }

    @Test
    void aBusyPortIsFoundBeforeAnythingStarts() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(Main.listenProblem("127.0.0.1", taken.getLocalPort())).hasValueSatisfying(line ->
                    assertThat(line).startsWith("error: AGENT_PORT " + taken.getLocalPort() + " is already in use"));
        }
        assertThat(Main.listenProblem("192.0.2.1", 8001)).hasValueSatisfying(line ->
                assertThat(line).contains("AGENT_HOST 192.0.2.1").contains("set AGENT_HOST"));
    }
}
