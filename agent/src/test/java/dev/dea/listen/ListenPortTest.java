package dev.dea.listen;

import io.javalin.Javalin;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

class ListenPortTest {
    @Test
    void aPortHeldByThisJvmIsInUseAndNamesItsProcess() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ListenPort.Outcome outcome = ListenPort.probe("127.0.0.1", taken.getLocalPort());
            assertThat(outcome).isInstanceOf(ListenPort.InUse.class);
            // /proc shows a user its own processes' sockets: this JVM is found by its pid.
            assertThat(((ListenPort.InUse) outcome).holder()).endsWith("(pid " + ProcessHandle.current().pid() + ")");
        }
    }

    @Test
    void aWildcardBindConflictsWithALoopbackListener() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(ListenPort.probe("0.0.0.0", taken.getLocalPort())).isInstanceOf(ListenPort.InUse.class);
        }
    }

    @Test
    void aReleasedPortIsFreeAndPortZeroAlwaysIs() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThat(ListenPort.probe("127.0.0.1", port)).isInstanceOf(ListenPort.Free.class);
        assertThat(ListenPort.probe("127.0.0.1", 0)).isInstanceOf(ListenPort.Free.class);
    }

    @Test
    void anAddressOfAnotherMachineIsUnbindableNotInUse() {
        // TEST-NET-1 (RFC 5737): never an address of this machine.
        assertThat(ListenPort.probe("192.0.2.1", 8001)).isInstanceOf(ListenPort.Unbindable.class);
    }

    @Test
    void javalinsOwnBindFailureIsRecognisedAsInUse() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Javalin app = Javalin.create();
            Throwable thrown = catchThrowable(() -> app.start("127.0.0.1", taken.getLocalPort()));
            app.stop();
            assertThat(thrown).isNotNull();
            assertThat(ListenPort.isInUse(thrown)).as("in use: %s", thrown).isTrue();
        }
        assertThat(ListenPort.isInUse(new IllegalStateException("Address already in use"))).isFalse();
    }

    @Test
    void findsTheListeningSocketsInodeInAProcNetTcpTable() {
        List<String> table = List.of(
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
                "   0: 0100007F:1F41 0100007F:D2B4 01 00000000:00000000 00:00000000 00000000  1000        0 111 1 0 20 4 30 10 -1",
                "   1: 00000000:1F41 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 222 1 0 100 0 0 10 0",
                "   2: 00000000:1F42 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 333 1 0 100 0 0 10 0");
        assertThat(ListenPort.listeningInode(table, ":1F41")).contains("222");
        assertThat(ListenPort.listeningInode(table, ":1F43")).isEmpty();
        assertThat(ListenPort.listeningInode(List.of(), ":1F41")).isEmpty();
    }

    @Test
    void theMessageIsOneLineNamingAgentPortAndTheHolder() {
        String line = ListenPort.inUseMessage("0.0.0.0", 8001, "python3 (pid 42)");
        assertThat(line).isEqualTo("error: AGENT_PORT 8001 is already in use on 0.0.0.0 by python3 (pid 42): "
                + "stop it, or set AGENT_PORT to a free port");
    }
}
