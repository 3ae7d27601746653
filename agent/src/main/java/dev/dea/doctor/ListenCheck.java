package dev.dea.doctor;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Whether the agent could bind AGENT_HOST:AGENT_PORT right now. A port in use is only a
 * warning: it is also what a running agent looks like, and the doctor may be asked about one.
 */
final class ListenCheck {
    static final String NAME = "listen address";

    private ListenCheck() {
    }

    static Check run(String host, int port) {
        String where = host + ":" + port;
        if (port == 0) {
            return Check.ok(NAME, where + " (any free port)");
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, port));
            return Check.ok(NAME, where + " is free");
        } catch (BindException e) {
            if (e.getMessage() != null && e.getMessage().contains("in use")) {
                return Check.warn(NAME, where + " is in use (another process, or this agent already running)",
                        "stop what holds it, or set AGENT_PORT to a free port");
            }
            return Check.fail(NAME, where + " cannot be bound: " + e.getMessage(),
                    "set AGENT_HOST to an address of this machine (0.0.0.0 for all)");
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            return Check.fail(NAME, where + " cannot be bound: " + e.getMessage(),
                    "set AGENT_HOST to an address of this machine (0.0.0.0 for all)");
        }
    }
}
