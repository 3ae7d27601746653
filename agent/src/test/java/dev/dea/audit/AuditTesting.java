package dev.dea.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Shared helpers: events and reading back every file of a trail, oldest first. */
final class AuditTesting {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> ALL_KEYS = List.of("time", "request_id", "caller_address", "language", "code_sha256",
            "code", "tables_touched", "outcome", "error_type", "rows", "duration_ms", "cache_keys_read",
            "cache_key_written");

    private AuditTesting() {
    }

    static AuditEvent event(String requestId) {
        return event(requestId, "SELECT 1");
    }

    static AuditEvent event(String requestId, String code) {
        return AuditEvent.builder(AuditEvent.SQL, code)
                .time(Instant.parse("2026-11-21T10:00:00.123Z"))
                .requestId(requestId)
                .callerAddress("10.0.0.7")
                .tablesTouched(List.of("public.orders"))
                .rows(3)
                .durationMs(12.5)
                .cacheKeysRead(List.of())
                .cacheKeyWritten("k-" + requestId)
                .build();
    }

    /** audit.log.N .. audit.log.1, then audit.log; only those that exist. */
    static List<Path> files(Path current, int maxFiles) {
        List<Path> files = new ArrayList<>();
        for (int i = maxFiles + 2; i >= 1; i--) {
            Path p = current.resolveSibling(current.getFileName() + "." + i);
            if (Files.exists(p)) {
                files.add(p);
            }
        }
        if (Files.exists(current)) {
            files.add(current);
        }
        return files;
    }

    /** Every line of the file, asserting each ends with a newline (no torn tail). */
    static List<String> lines(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            if (!text.isEmpty() && !text.endsWith("\n")) {
                throw new AssertionError(file + " ends in a partial line");
            }
            // Split on '\n' only: that is the one separator the writer emits.
            return text.isEmpty() ? List.of() : List.of(text.substring(0, text.length() - 1).split("\n", -1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    static List<String> keys(JsonNode node) {
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    static Optional<String> text(JsonNode node, String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }
}
