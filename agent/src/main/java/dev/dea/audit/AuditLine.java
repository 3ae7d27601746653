package dev.dea.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** One audit event as one line of JSON (docs/audit-log.md), newline included. */
final class AuditLine {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final byte NEWLINE = '\n';

    private AuditLine() {
    }

    static byte[] encode(AuditEvent e, boolean includeCode) {
        ObjectNode n = JSON.createObjectNode();
        n.put("time", e.time().toString());
        n.put("request_id", e.requestId());
        n.put("caller_address", e.callerAddress());
        n.put("language", e.language());
        n.put("code_sha256", e.codeSha256());
        if (includeCode) {
            n.put("code", e.code().orElse(null));
        }
        strings(n.putArray("tables_touched"), e.tablesTouched());
        n.put("outcome", e.outcome());
        n.put("error_type", e.errorType().orElse(null));
        n.put("rows", e.rows());
        n.put("duration_ms", e.durationMs());
        strings(n.putArray("cache_keys_read"), e.cacheKeysRead());
        n.put("cache_key_written", e.cacheKeyWritten().orElse(null));
        // Only on SQL lines: the keys and their order stay as they were for Python.
        e.datasource().ifPresent(d -> n.put("datasource", d));
        try {
            // Compact output escapes every control character, so the only newline is ours.
            byte[] json = JSON.writeValueAsBytes(n);
            byte[] line = new byte[json.length + 1];
            System.arraycopy(json, 0, line, 0, json.length);
            line[json.length] = NEWLINE;
            return line;
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot encode audit event", ex);
        }
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
