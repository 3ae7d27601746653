package dev.dea.sandbox;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Health of the sandbox backend as of the call.
 *
 * @param engineReachable the Docker engine answered a ping
 * @param imagePresent    the configured image exists on the engine
 * @param runtime         the OCI runtime containers use ({@code runc} unless configured, e.g. {@code runsc})
 * @param running         executions holding a slot now
 * @param queued          executions waiting for a slot
 * @param pooled          warm containers ready for use (0: no warm pool yet)
 * @param reason          why the backend is unusable, with what to do; empty when usable
 */
public record SandboxStatus(boolean engineReachable, boolean imagePresent, String runtime, int running, int queued,
                            int pooled, Optional<String> reason) {
    public SandboxStatus {
        requireNonNull(runtime, "runtime");
        requireNonNull(reason, "reason");
    }

    public boolean usable() {
        return engineReachable && imagePresent;
    }
}
