package dev.dea.config;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * Asynchronous jobs (docs/jobs.md).
 *
 * @param maxConcurrent jobs running at once (JOBS_MAX_CONCURRENT); each still takes its slot of
 *                      the sandbox or profile limits while it runs, as a synchronous call does
 * @param queueSize     jobs waiting for one of those (JOBS_QUEUE_SIZE); beyond, a submission gets 429
 * @param retention     how long a finished job's record is kept (JOBS_RETENTION_HOURS)
 * @param maxRecords    most records kept on disk (JOBS_MAX_RECORDS); the oldest finished go first
 * @param heartbeat     the interval of the {@code : heartbeat} comment on idle event streams
 *                      (JOBS_HEARTBEAT_SECONDS)
 */
public record JobsConfig(int maxConcurrent, int queueSize, Duration retention, int maxRecords, Duration heartbeat) {
    public JobsConfig {
        requireNonNull(retention, "retention");
        requireNonNull(heartbeat, "heartbeat");
        if (maxConcurrent < 1 || queueSize < 0 || maxRecords < 1) {
            throw new IllegalArgumentException("maxConcurrent and maxRecords must be >= 1, queueSize >= 0");
        }
    }
}
