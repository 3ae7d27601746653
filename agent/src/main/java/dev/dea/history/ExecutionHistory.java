package dev.dea.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.audit.AuditEvent;
import dev.dea.cache.Provenance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The executions {@code GET /executions} lists: the most recent {@code capacity} entries of the
 * audit trail, kept in memory. At start-up they are read back from the trail's files (newest
 * file first, only as far back as needed), then every audit append adds one. The trail stays
 * the record; this is an index of its tail, so it is bounded by count, never by the trail's size.
 */
public final class ExecutionHistory {
    private static final Logger log = LoggerFactory.getLogger(ExecutionHistory.class);
    public static final int DEFAULT_CAPACITY = 10_000;
    private static final int SPARE_LINES = 16;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Comparator<HistoryEntry> OLDEST_FIRST = Comparator.comparing(HistoryEntry::time)
            .thenComparing(HistoryEntry::requestId);

    private final int capacity;
    private final boolean showCode;
    private final ArrayDeque<HistoryEntry> entries = new ArrayDeque<>();

    /** {@code showCode}: whether the audit trail keeps code, and so whether an entry may show its first line. */
    public ExecutionHistory(int capacity, boolean showCode) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.showCode = showCode;
    }

    /** Adds what the audit trail just recorded. */
    public void record(AuditEvent e) {
        add(new HistoryEntry(e.time(), e.requestId(), e.language(), e.datasource(), e.codeSha256(),
                showCode ? e.code().map(Provenance::firstLine) : Optional.empty(), e.outcome(), e.errorType(),
                e.durationMs(), e.rows(), e.cacheKeyWritten(), e.cacheKeysRead(), e.callerAddress()));
    }

    /**
     * Reads the tail of the audit trail at {@code current} and its rotated files ({@code .1},
     * {@code .2}, ... up to {@code maxRotated}), newest first, until the history is full. A line
     * that is not an audit event (a write cut by a crash) is skipped and counted in the log.
     *
     * @return the entries read
     */
    public int load(Path current, int maxRotated) {
        List<List<HistoryEntry>> newestFileFirst = new ArrayList<>();
        int have = 0;
        int skipped = 0;
        for (int n = 0; n <= maxRotated && have < capacity; n++) {
            Path file = n == 0 ? current : current.resolveSibling(current.getFileName() + "." + n);
            if (!Files.isRegularFile(file)) {
                continue;
            }
            ArrayDeque<String> tail = new ArrayDeque<>();
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    tail.addLast(line);
                    // A few spare lines, so that a torn line does not cost a slot.
                    if (tail.size() > capacity - have + SPARE_LINES) {
                        tail.removeFirst();
                    }
                }
            } catch (IOException e) {
                log.warn("Cannot read audit file {} for the execution history: {}", file, e.getMessage());
                continue;
            }
            List<HistoryEntry> parsed = new ArrayList<>(tail.size());
            for (String line : tail) {
                Optional<HistoryEntry> entry = parse(line);
                if (entry.isPresent()) {
                    parsed.add(entry.get());
                } else {
                    skipped++;
                }
            }
            if (parsed.size() > capacity - have) {
                parsed = parsed.subList(parsed.size() - (capacity - have), parsed.size());
            }
            have += parsed.size();
            newestFileFirst.add(parsed);
        }
        synchronized (this) {
            for (int i = newestFileFirst.size() - 1; i >= 0; i--) {
                newestFileFirst.get(i).forEach(this::addLocked);
            }
        }
        log.info("Execution history: {} executions read back from the audit trail at {}{}", have, current,
                skipped > 0 ? " (" + skipped + " unreadable lines skipped)" : "");
        return have;
    }

    /** One page of the entries {@code q} selects, in its order, after its cursor. */
    public synchronized HistoryPage query(HistoryQuery q) {
        Comparator<HistoryEntry> order = q.newestFirst() ? OLDEST_FIRST.reversed() : OLDEST_FIRST;
        List<HistoryEntry> matching = new ArrayList<>();
        for (HistoryEntry e : entries) {
            if (q.matches(e) && q.after().map(p -> order.compare(e, probe(p)) > 0).orElse(true)) {
                matching.add(e);
            }
        }
        matching.sort(order);
        List<HistoryEntry> page = matching.subList(0, Math.min(q.limit(), matching.size()));
        Optional<String> next = matching.size() > page.size()
                ? Optional.of(new HistoryQuery.Position(page.getLast().time(), page.getLast().requestId()).cursor())
                : Optional.empty();
        return new HistoryPage(page, next, entries.size());
    }

    public synchronized int size() {
        return entries.size();
    }

    private synchronized void add(HistoryEntry e) {
        addLocked(e);
    }

    private void addLocked(HistoryEntry e) {
        entries.addLast(e);
        while (entries.size() > capacity) {
            entries.removeFirst();
        }
    }

    /** An entry that sorts exactly at a cursor's position. */
    private static HistoryEntry probe(HistoryQuery.Position p) {
        return new HistoryEntry(p.time(), p.requestId(), "", Optional.empty(), "", Optional.empty(), "",
                Optional.empty(), 0, 0, Optional.empty(), List.of(), "");
    }

    private Optional<HistoryEntry> parse(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            if (n == null || !n.isObject() || !n.path("time").isTextual() || !n.path("code_sha256").isTextual()) {
                return Optional.empty();
            }
            List<String> parents = new ArrayList<>();
            n.path("cache_keys_read").forEach(k -> parents.add(k.asText()));
            return Optional.of(new HistoryEntry(Instant.parse(n.get("time").asText()), n.path("request_id").asText(""),
                    n.path("language").asText(""), text(n, "datasource"), n.get("code_sha256").asText(),
                    showCode ? text(n, "code").map(Provenance::firstLine) : Optional.empty(),
                    n.path("outcome").asText(""), text(n, "error_type"), n.path("duration_ms").asDouble(),
                    n.path("rows").asLong(), text(n, "cache_key_written"), parents, n.path("caller_address").asText("")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }
}
