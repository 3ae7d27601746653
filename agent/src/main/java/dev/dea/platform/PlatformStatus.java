package dev.dea.platform;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A snapshot of the platform link, safe to expose on a health endpoint: it holds no secret.
 *
 * @param state         see {@link State}
 * @param attempts      registration attempts since {@link PlatformClient#start()} (all phases, monotonic)
 * @param lastError     the most recent failure (registration or heartbeat), cleared on success
 * @param lastHeartbeat when the last heartbeat was acknowledged by the platform
 */
public record PlatformStatus(State state, int attempts, Optional<String> lastError, Optional<Instant> lastHeartbeat) {

    public enum State {
        /** No platform configured ({@code CORE_LOGIC_URL} unset): nothing is sent. */
        DISABLED,
        /** Not yet registered, or the platform forgot the agent: registration is being retried. */
        REGISTERING,
        /** Registered; heartbeats are being sent. */
        REGISTERED,
        /** {@link PlatformClient#close()} was called. */
        CLOSED
    }

    public PlatformStatus {
        requireNonNull(state, "state");
        requireNonNull(lastError, "lastError");
        requireNonNull(lastHeartbeat, "lastHeartbeat");
    }

    /** The status to report when no platform is configured. */
    public static PlatformStatus disabled() {
        return new PlatformStatus(State.DISABLED, 0, Optional.empty(), Optional.empty());
    }
}
