package dev.dea.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * Which records exist, how large, and when each job ended, to keep the records bounded: a
 * finished job's record is deleted {@code retention} after it ended, and beyond
 * {@code maxRecords} records or {@link #MAX_TOTAL_BYTES} on disk (a record holds its result's
 * preview, up to PREVIEW_MAX_BYTES) the oldest finished go first. Records of jobs still
 * queued or running are never deleted.
 */
final class JobIndex {
    private record Ended(Instant at, String id) implements Comparable<Ended> {
        @Override
        public int compareTo(Ended o) {
            int c = at.compareTo(o.at);
            return c != 0 ? c : id.compareTo(o.id);
        }
    }

    static final long MAX_TOTAL_BYTES = 1L << 30;

    /** {@code summary}: the record as it was last written, without its result or error (GET /jobs). */
    private record Entry(Optional<Instant> endedAt, long bytes, JobRecord summary) {
    }

    private final Duration retention;
    private final int maxRecords;
    private final JobStore store;
    private final Map<String, Entry> records = new HashMap<>();
    private final TreeSet<Ended> finished = new TreeSet<>();
    private final long maxBytes;
    private long bytes;

    JobIndex(Duration retention, int maxRecords, JobStore store) {
        this(retention, maxRecords, MAX_TOTAL_BYTES, store);
    }

    JobIndex(Duration retention, int maxRecords, long maxBytes, JobStore store) {
        this.maxBytes = maxBytes;
        this.retention = requireNonNull(retention, "retention");
        this.maxRecords = maxRecords;
        this.store = requireNonNull(store, "store");
    }

    /** Forgets a job that was never queued after all (its submission was refused). */
    synchronized void remove(String id) {
        Entry before = records.remove(id);
        if (before != null) {
            bytes -= before.bytes();
            before.endedAt().ifPresent(at -> finished.remove(new Ended(at, id)));
        }
    }

    /** {@code record} queued (not finished) or ended, written in {@code size} bytes; the bounds are enforced at once. */
    synchronized void add(JobRecord record, long size) {
        String id = record.jobId();
        Optional<Instant> endedAt = record.status().finished()
                ? Optional.of(record.finishedAt().map(Instant::parse).orElse(Instant.now())) : Optional.empty();
        Entry before = records.put(id, new Entry(endedAt, size, record.withoutPayload()));
        bytes += size;
        if (before != null) {
            bytes -= before.bytes();
            before.endedAt().ifPresent(at -> finished.remove(new Ended(at, id)));
        }
        endedAt.ifPresent(at -> finished.add(new Ended(at, id)));
        prune();
    }

    synchronized void prune() {
        Instant oldest = Instant.now().minus(retention);
        while (!finished.isEmpty()
                && (finished.first().at().isBefore(oldest) || records.size() > maxRecords || bytes > maxBytes)) {
            Ended e = finished.pollFirst();
            bytes -= records.remove(e.id()).bytes();
            store.delete(e.id());
        }
    }

    /** Every known job's summary, in no order. */
    synchronized java.util.List<JobRecord> summaries() {
        return records.values().stream().map(Entry::summary).toList();
    }

    synchronized int size() {
        return records.size();
    }
}
