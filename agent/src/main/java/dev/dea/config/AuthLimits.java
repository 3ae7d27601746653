package dev.dea.config;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/** Failed authentications from one address within {@code window} before it is blocked for {@code block}. */
public record AuthLimits(int failureLimit, Duration window, Duration block) {
    public AuthLimits {
        requireNonNull(window, "window");
        requireNonNull(block, "block");
    }
}
