package dev.dea.config;

import static java.util.Objects.requireNonNull;

/** {@code GET /metrics} without a token when {@code metricsPublic}; the log line format. */
public record ObservabilityConfig(boolean metricsPublic, LogFormat logFormat) {
    public ObservabilityConfig {
        requireNonNull(logFormat, "logFormat");
    }
}
