package dev.dea.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Job records on disk, one small JSON file per job ({@code <id>.json}: the record and, once
 * the job has ended, its event history without the final event, which is rebuilt from the
 * record). Every write goes to a temporary file renamed over the old one, so a reader or a
 * crash sees the previous version or the new one, never half a file.
 */
final class JobStore {
    private static final Logger log = LoggerFactory.getLogger(JobStore.class);
    static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** A record with the events it had when it was written. */
    record Stored(JobRecord record, List<JobEvent> events) {
        Stored {
            requireNonNull(record, "record");
            events = List.copyOf(events);
        }
    }

    private final Path dir;
    private final ObjectMapper mapper;

    JobStore(Path dir, ObjectMapper mapper) {
        this.dir = requireNonNull(dir, "dir");
        this.mapper = requireNonNull(mapper, "mapper");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the job directory " + dir, e);
        }
    }

    /** Returns the file's size; 0 if it could not be written (logged). */
    long write(JobRecord record, List<JobEvent> events) {
        ObjectNode root = mapper.createObjectNode();
        root.set("record", mapper.valueToTree(record));
        ArrayNode list = root.putArray("events");
        for (JobEvent e : events) {
            list.addObject().put("id", e.id()).put("event", e.name()).put("data", e.data());
        }
        Path target = file(record.jobId());
        Path tmp = null;
        try {
            // Its own name: close() may write a job's record while the job's thread writes it too.
            tmp = Files.createTempFile(dir, "." + record.jobId() + "-", ".tmp");
            mapper.writeValue(tmp.toFile(), root);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return Files.size(target);
        } catch (IOException e) {
            // The caller keeps the job in memory meanwhile; the operator must know.
            log.warn("Could not write the record of job {}: {}", record.jobId(), e.toString());
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            return 0;
        }
    }

    Optional<Stored> read(String id) {
        if (!ID.matcher(id).matches()) {
            return Optional.empty();
        }
        Path file = file(id);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode root = mapper.readTree(file.toFile());
            JobRecord record = mapper.treeToValue(root.get("record"), JobRecord.class);
            check(id, record);
            List<JobEvent> events = new ArrayList<>();
            for (JsonNode e : root.path("events")) {
                events.add(new JobEvent(e.get("id").asLong(), e.get("event").asText(), e.get("data").asText()));
            }
            return Optional.of(new Stored(record, events));
        } catch (IOException | RuntimeException e) {
            log.warn("Ignoring the unreadable job record {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    /**
     * What the rest of the agent takes for granted of a record: it is the file's own job (else
     * recovery would write it under another name) and its times are instants (the index and the
     * listing parse them; one bad one would stop the start-up, or fail every GET /jobs).
     */
    private static void check(String id, JobRecord record) {
        if (!record.jobId().equals(id)) {
            throw new IllegalArgumentException("it holds job '" + abbreviate(record.jobId()) + "'");
        }
        instant("created_at", record.createdAt());
        record.startedAt().ifPresent(t -> instant("started_at", t));
        record.finishedAt().ifPresent(t -> instant("finished_at", t));
    }

    private static void instant(String field, String text) {
        try {
            Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + " '" + abbreviate(text) + "' is not an instant", e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }

    long bytes(String id) {
        try {
            return Files.size(file(id));
        } catch (IOException e) {
            return 0;
        }
    }

    void delete(String id) {
        try {
            Files.deleteIfExists(file(id));
        } catch (IOException e) {
            log.warn("Could not delete the record of job {}: {}", id, e.toString());
        }
    }

    /** The ids of every record on disk; leftover temporary files of a crash are deleted. */
    List<String> ids() {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    Files.deleteIfExists(f);
                } else if (name.endsWith(".json") && ID.matcher(name.substring(0, name.length() - 5)).matches()) {
                    ids.add(name.substring(0, name.length() - 5));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the job directory " + dir, e);
        }
        return ids;
    }

    private Path file(String id) {
        return dir.resolve(id + ".json");
    }
}
