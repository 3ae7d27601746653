package dev.dea.config;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * Introspection cache lifetime, when table profiles switch from exact to sampled, and how many
 * profiles may read the database at once.
 */
public record SchemaConfig(Duration cacheTtl, long profileSampleAboveRows, int profileSampleRows,
                           int profileMaxConcurrent) {
    public static final int DEFAULT_PROFILE_MAX_CONCURRENT = 2;

    public SchemaConfig {
        requireNonNull(cacheTtl, "cacheTtl");
        if (profileMaxConcurrent < 1) {
            throw new IllegalArgumentException("profileMaxConcurrent must be at least 1, got " + profileMaxConcurrent);
        }
    }

    public SchemaConfig(Duration cacheTtl, long profileSampleAboveRows, int profileSampleRows) {
        this(cacheTtl, profileSampleAboveRows, profileSampleRows, DEFAULT_PROFILE_MAX_CONCURRENT);
    }
}
