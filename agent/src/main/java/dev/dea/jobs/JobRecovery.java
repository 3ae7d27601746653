package dev.dea.jobs;

import dev.dea.error.ErrorDetail;
import dev.dea.error.ErrorType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What an agent start finds of its predecessor's jobs: jobs are not resumed, so one that was
 * queued or running is recorded as interrupted; every record is indexed; a record that cannot
 * be read is deleted (it would never be listed, nor pruned).
 */
final class JobRecovery {
    private static final Logger log = LoggerFactory.getLogger(JobRecovery.class);

    private JobRecovery() {
    }

    static void recover(JobStore store, JobIndex index, Instant now) {
        int interrupted = 0;
        for (String id : store.ids()) {
            Optional<JobStore.Stored> stored = store.read(id);
            if (stored.isEmpty()) {
                // Unreadable (logged by read): never listed, never pruned, so it goes now.
                store.delete(id);
                continue;
            }
            JobRecord r = stored.get().record();
            if (!r.status().finished()) {
                r = r.finished(JobStatus.INTERRUPTED, now, Optional.empty(), Optional.of(stoppedDetail(r, "ended")));
                store.write(r, stored.get().events());
                interrupted++;
            }
            index.add(r, store.bytes(id));
        }
        index.prune();
        if (interrupted > 0) {
            log.warn("{} jobs were queued or running when the agent stopped; they are recorded as interrupted", interrupted);
        }
    }

    /** Why an interrupted job has no result: the same {@code detail} shape as every other failure. */
    static Map<String, Object> stoppedDetail(JobRecord r, String how) {
        String when = r.status() == JobStatus.QUEUED ? "queued" : "running";
        return ErrorDetail.of(ErrorType.AGENT_STOPPED, "The agent " + how + " while this job was " + when
                + "; jobs are not resumed, submit the step again", Map.of("was", when));
    }
}
