package dev.dea.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * Which records exist and when each job ended, to keep the records bounded: a finished job's
 * record is deleted {@code retention} after it ended, and beyond {@code maxRecords} records
 * the oldest finished go first. Records of jobs still queued or running are never deleted.
 */
final class JobIndex {
    private record Ended(Instant at, String id) implements Comparable<Ended> {
        @Override
        public int compareTo(Ended o) {
            int c = at.compareTo(o.at);
            return c != 0 ? c : id.compareTo(o.id);
        }
    }

    private final Duration retention;
    private final int maxRecords;
    private final JobStore store;
    private final Map<String, Optional<Instant>> records = new HashMap<>();
    private final TreeSet<Ended> finished = new TreeSet<>();

    JobIndex(Duration retention, int maxRecords, JobStore store) {
        this.retention = requireNonNull(retention, "retention");
        this.maxRecords = maxRecords;
        this.store = requireNonNull(store, "store");
    }

    /** A job queued ({@code endedAt} empty) or ended; the bounds are enforced at once. */
    synchronized void add(String id, Optional<Instant> endedAt) {
        Optional<Instant> before = records.put(id, endedAt);
        if (before != null && before.isPresent()) {
            finished.remove(new Ended(before.get(), id));
        }
        endedAt.ifPresent(at -> finished.add(new Ended(at, id)));
        prune();
    }

    synchronized void prune() {
        Instant oldest = Instant.now().minus(retention);
        while (!finished.isEmpty() && (finished.first().at().isBefore(oldest) || records.size() > maxRecords)) {
            Ended e = finished.pollFirst();
            records.remove(e.id());
            store.delete(e.id());
        }
    }

    synchronized int size() {
        return records.size();
    }
}
