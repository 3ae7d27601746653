package dev.dea.config;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/** Introspection cache lifetime and when table profiles switch from exact to sampled. */
public record SchemaConfig(Duration cacheTtl, long profileSampleAboveRows, int profileSampleRows) {
    public SchemaConfig {
        requireNonNull(cacheTtl, "cacheTtl");
    }
}
