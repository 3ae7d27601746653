package dev.dea.config;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * Introspection cache lifetime, when table profiles switch from exact to sampled, when a table
 * read in full takes its value distributions from {@code pg_stats} instead of counting them
 * ({@code profileEstimateAboveRows}), and how many profiles may read the database at once.
 */
public record SchemaConfig(Duration cacheTtl, long profileSampleAboveRows, int profileSampleRows,
                           int profileMaxConcurrent, long profileEstimateAboveRows) {
    public static final int DEFAULT_PROFILE_MAX_CONCURRENT = 2;
    public static final long DEFAULT_PROFILE_ESTIMATE_ABOVE_ROWS = 500_000;

    public SchemaConfig {
        requireNonNull(cacheTtl, "cacheTtl");
        if (profileMaxConcurrent < 1) {
            throw new IllegalArgumentException("profileMaxConcurrent must be at least 1, got " + profileMaxConcurrent);
        }
        if (profileEstimateAboveRows < 0) {
            throw new IllegalArgumentException("profileEstimateAboveRows must not be negative, got "
                    + profileEstimateAboveRows);
        }
    }

    public SchemaConfig(Duration cacheTtl, long profileSampleAboveRows, int profileSampleRows,
                        int profileMaxConcurrent) {
        this(cacheTtl, profileSampleAboveRows, profileSampleRows, profileMaxConcurrent,
                DEFAULT_PROFILE_ESTIMATE_ABOVE_ROWS);
    }

    public SchemaConfig(Duration cacheTtl, long profileSampleAboveRows, int profileSampleRows) {
        this(cacheTtl, profileSampleAboveRows, profileSampleRows, DEFAULT_PROFILE_MAX_CONCURRENT);
    }
}
