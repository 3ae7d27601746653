package dev.dea.config;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * How many SQL statements may hold a database connection at once ({@code SQL_MAX_CONCURRENT}),
 * how many more may wait for one ({@code SQL_QUEUE_SIZE}) and for how long
 * ({@code SQL_QUEUE_TIMEOUT_SECONDS}); beyond that a caller is told to retry (429), so that a
 * busy pool never reads as a database outage.
 */
public record SqlAdmission(int maxConcurrent, int queueSize, Duration queueTimeout) {
    public static final int DEFAULT_QUEUE_SIZE = 32;
    public static final int DEFAULT_QUEUE_TIMEOUT_SECONDS = 10;
    /** The embedded demo database's pool (DemoDatabase). */
    static final int DEMO_POOL_SIZE = 10;

    public SqlAdmission {
        requireNonNull(queueTimeout, "queueTimeout");
        if (maxConcurrent < 1 || queueSize < 0) {
            throw new IllegalArgumentException("maxConcurrent must be >= 1 and queueSize >= 0");
        }
    }
}
