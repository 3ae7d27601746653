package dev.dea.jobs;

import dev.dea.frame.FrameJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class JobRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void recordsWithBadTimesOrAnotherJobsIdAreDeletedAndTheStartGoesOn() throws Exception {
        JobStore store = new JobStore(dir, FrameJson.newMapper());
        JobIndex index = new JobIndex(Duration.ofHours(24), 100, store);
        String now = Instant.now().toString();
        String good = write(store, JobStatus.SUCCEEDED, now, Optional.of(now), Optional.of(now));
        String badFinish = write(store, JobStatus.SUCCEEDED, now, Optional.of(now), Optional.of("2026-13-01T00:00:00Z"));
        String badCreation = write(store, JobStatus.SUCCEEDED, "yesterday", Optional.of(now), Optional.of(now));
        String badStart = write(store, JobStatus.RUNNING, now, Optional.of("2026-12-05T25:00:00Z"), Optional.empty());
        // A running job's file renamed: recovery must not write "its" job's record under another name.
        String foreign = write(store, JobStatus.RUNNING, now, Optional.of(now), Optional.empty());
        String misnamed = UUID.randomUUID().toString();
        Files.move(dir.resolve(foreign + ".json"), dir.resolve(misnamed + ".json"));

        JobRecovery.recover(store, index, Instant.now());

        assertThat(store.ids()).containsExactly(good);
        assertThat(index.summaries()).extracting(JobRecord::jobId).containsExactly(good);
        // GET /jobs sorts by created_at: it answers.
        assertThat(JobList.page(index.summaries(), JobList.Query.parse(null, null, null, null)).jobs()).hasSize(1);
        for (String gone : List.of(badFinish, badCreation, badStart, misnamed)) {
            assertThat(store.read(gone)).as(gone).isEmpty();
        }
    }

    @Test
    void aRecordIsReadOnlyUnderItsOwnJobsName() throws Exception {
        JobStore store = new JobStore(dir, FrameJson.newMapper());
        String now = Instant.now().toString();
        String id = write(store, JobStatus.SUCCEEDED, now, Optional.of(now), Optional.of(now));
        String other = UUID.randomUUID().toString();
        Files.copy(dir.resolve(id + ".json"), dir.resolve(other + ".json"));
        assertThat(store.read(id)).isPresent();
        assertThat(store.read(other)).as("GET /jobs/{id} must not answer another job").isEmpty();
    }

    private static String write(JobStore store, JobStatus status, String createdAt, Optional<String> startedAt,
                                Optional<String> finishedAt) {
        String id = UUID.randomUUID().toString();
        store.write(new JobRecord(id, status, "execute", Optional.of("sql"), Optional.empty(), Optional.empty(), "req",
                createdAt, startedAt, finishedAt, Optional.empty(), Optional.empty()), List.of(new JobEvent(1, "queued", "{}")));
        return id;
    }
}
