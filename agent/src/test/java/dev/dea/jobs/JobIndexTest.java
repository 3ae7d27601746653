package dev.dea.jobs;

import dev.dea.frame.FrameJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class JobIndexTest {
    @TempDir
    Path dir;

    @Test
    void beyondMaxRecordsTheOldestFinishedGoFirstAndRunningJobsStay() {
        JobStore store = new JobStore(dir, FrameJson.newMapper());
        JobIndex index = new JobIndex(Duration.ofHours(24), 3, store);
        String running = stored(store);
        index.add(record(running, Optional.empty()), 10);
        Instant now = Instant.now();
        String oldest = stored(store);
        String middle = stored(store);
        String newest = stored(store);
        index.add(record(middle, Optional.of(now.minusSeconds(20))), 10);
        index.add(record(oldest, Optional.of(now.minusSeconds(30))), 10);
        index.add(record(newest, Optional.of(now.minusSeconds(10))), 10);
        assertThat(store.ids()).containsExactlyInAnyOrder(running, middle, newest);
        assertThat(index.size()).isEqualTo(3);
    }

    @Test
    void aFinishedRecordOlderThanTheRetentionIsDeleted() {
        JobStore store = new JobStore(dir, FrameJson.newMapper());
        JobIndex index = new JobIndex(Duration.ofHours(24), 100, store);
        String old = stored(store);
        String recent = stored(store);
        index.add(record(old, Optional.of(Instant.now().minus(Duration.ofHours(25)))), 10);
        index.add(record(recent, Optional.of(Instant.now().minus(Duration.ofHours(23)))), 10);
        assertThat(store.ids()).containsExactly(recent);
    }

    @Test
    void beyondTheByteBoundTheOldestFinishedGoFirst() {
        JobStore store = new JobStore(dir, FrameJson.newMapper());
        JobIndex index = new JobIndex(Duration.ofHours(24), 100, 250, store);
        Instant now = Instant.now();
        String first = stored(store);
        String second = stored(store);
        String third = stored(store);
        index.add(record(first, Optional.of(now.minusSeconds(3))), 100);
        index.add(record(second, Optional.of(now.minusSeconds(2))), 100);
        index.add(record(third, Optional.of(now.minusSeconds(1))), 100);
        assertThat(store.ids()).containsExactlyInAnyOrder(second, third);
        // A record rewritten with another size counts once, at its new size.
        index.add(record(third, Optional.of(now.minusSeconds(1))), 50);
        assertThat(store.ids()).containsExactlyInAnyOrder(second, third);
    }

    @Test
    void recordsAreReadBackAsWrittenAndForeignNamesAreIgnored() {
        JobStore store = new JobStore(dir, FrameJson.newMapper());
        String id = stored(store);
        assertThat(store.read(id).orElseThrow().record().jobId()).isEqualTo(id);
        assertThat(store.read(id).orElseThrow().events()).extracting(JobEvent::name).containsExactly("queued");
        assertThat(store.read("../" + id)).isEmpty();
        assertThat(store.read("not-an-id")).isEmpty();
    }

    private static String stored(JobStore store) {
        String id = UUID.randomUUID().toString();
        JobRecord r = new JobRecord(id, JobStatus.QUEUED, "execute", Optional.of("sql"), Optional.empty(), Optional.empty(),
                "req", Instant.now().toString(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        store.write(r, List.of(new JobEvent(1, "queued", "{}")));
        return id;
    }

    /** A job's record: finished at {@code endedAt}, or running when it is empty. */
    private static JobRecord record(String id, Optional<Instant> endedAt) {
        return new JobRecord(id, endedAt.isPresent() ? JobStatus.SUCCEEDED : JobStatus.RUNNING, "execute",
                Optional.of("sql"), Optional.empty(), Optional.empty(), "req", "2026-12-05T08:00:00Z",
                Optional.empty(), endedAt.map(Instant::toString), Optional.empty(), Optional.empty());
    }
}
