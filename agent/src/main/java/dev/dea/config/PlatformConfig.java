package dev.dea.config;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/** How the agent registers with the platform at CORE_LOGIC_URL (when set). */
public record PlatformConfig(String registrationPath, Duration heartbeatInterval) {
    public PlatformConfig {
        requireNonNull(registrationPath, "registrationPath");
        requireNonNull(heartbeatInterval, "heartbeatInterval");
    }
}
