package dev.dea.cache;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.dea.frame.ColumnKind;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes meta.json (docs/frame-format.md). Parsing is strict: a meta file that
 * lacks a field or has a wrong type is corrupt, and the frame is discarded on startup.
 */
final class MetaFile {
    /** meta.json of a format this agent no longer reads (version 1 kept rows as JSON lines). */
    static final class PreviousFormatException extends IOException {
        PreviousFormatException() {
            super("meta.json is of a previous frame format version");
        }
    }

    static final String META = "meta.json";
    static final String FORMAT = "dea-frame";
    static final int FORMAT_VERSION = 2;

    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {
    };

    private final ObjectMapper mapper;
    private final ObjectReader statsReader;

    MetaFile(ObjectMapper mapper) {
        this.mapper = mapper;
        // Long for every integer, so a stats map reads back with the types ColumnStats produced.
        this.statsReader = mapper.readerFor(MAP).with(DeserializationFeature.USE_LONG_FOR_INTS);
    }

    byte[] toBytes(FrameMeta meta) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("format_version", FORMAT_VERSION);
        root.put("key", meta.key());
        List<Map<String, Object>> columns = new ArrayList<>();
        for (ColumnMeta c : meta.columns()) {
            Map<String, Object> col = new LinkedHashMap<>();
            col.put("name", c.name());
            col.put("kind", c.kind().wireName());
            col.put("source_type", c.sourceType());
            col.put("dtype", c.dtype());
            List<Map<String, Object>> buffers = new ArrayList<>();
            for (ColumnMeta.Buffer b : c.buffers()) {
                Map<String, Object> buffer = new LinkedHashMap<>();
                buffer.put("name", b.name());
                buffer.put("bytes", b.bytes());
                buffers.add(buffer);
            }
            col.put("buffers", buffers);
            col.put("stats", c.stats());
            columns.add(col);
        }
        root.put("columns", columns);
        root.put("row_count", meta.rowCount());
        root.put("data_bytes", meta.bytes());
        root.put("truncated", meta.truncated());
        root.put("created_at", meta.createdAt().toString());
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("kind", meta.provenance().kind());
        provenance.put("source", meta.provenance().source());
        provenance.put("parent_keys", meta.provenance().parentKeys());
        provenance.put("request_id", meta.provenance().requestId().orElse(null));
        meta.provenance().datasource().ifPresent(d -> provenance.put("datasource", d));
        root.put("provenance", provenance);
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    /** @throws IOException if the bytes are not a complete, well-formed meta.json of a supported version */
    FrameMeta parse(byte[] bytes) throws IOException {
        JsonNode root = mapper.readTree(bytes);
        if (root == null || !root.isObject()) {
            throw new IOException("meta.json is not a JSON object");
        }
        if (FORMAT.equals(text(root, "format")) && integer(root, "format_version") < FORMAT_VERSION) {
            throw new PreviousFormatException();
        }
        if (!FORMAT.equals(text(root, "format")) || integer(root, "format_version") != FORMAT_VERSION) {
            throw new IOException("meta.json has an unsupported format or version");
        }
        long rowCount = integer(root, "row_count");
        long dataBytes = integer(root, "data_bytes");
        if (rowCount < 0 || dataBytes < 0) {
            throw new IOException("meta.json: negative row_count or data_bytes");
        }
        long bufferBytes = 0;
        List<ColumnMeta> columns = new ArrayList<>();
        for (JsonNode col : field(root, "columns", JsonNode::isArray)) {
            ColumnKind kind;
            try {
                kind = ColumnKind.fromWireName(text(col, "kind"));
            } catch (IllegalArgumentException e) {
                throw new IOException("meta.json names an unknown column kind", e);
            }
            Map<String, Object> stats = statsReader.readValue(field(col, "stats", JsonNode::isObject));
            List<ColumnMeta.Buffer> buffers = buffers(col, kind, rowCount);
            for (ColumnMeta.Buffer b : buffers) {
                bufferBytes += b.bytes();
            }
            columns.add(new ColumnMeta(text(col, "name"), kind, text(col, "source_type"), text(col, "dtype"), stats,
                    buffers));
        }
        JsonNode prov = field(root, "provenance", JsonNode::isObject);
        List<String> parents = new ArrayList<>();
        for (JsonNode p : field(prov, "parent_keys", JsonNode::isArray)) {
            if (!p.isTextual()) {
                throw new IOException("meta.json: parent_keys must hold strings");
            }
            parents.add(p.textValue());
        }
        JsonNode requestId = field(prov, "request_id", n -> n.isTextual() || n.isNull());
        // Absent from frames cached before datasources had names.
        JsonNode datasource = prov.get("datasource");
        Provenance provenance = new Provenance(text(prov, "kind"), text(prov, "source"), parents,
                Optional.ofNullable(requestId.textValue()),
                Optional.ofNullable(datasource).filter(JsonNode::isTextual).map(JsonNode::textValue));
        Instant createdAt;
        try {
            createdAt = Instant.parse(text(root, "created_at"));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IOException("meta.json: created_at is not an ISO instant", e);
        }
        if (bufferBytes != dataBytes) {
            throw new IOException("meta.json: data_bytes is not the sum of the column buffers");
        }
        return new FrameMeta(text(root, "key"), columns, rowCount, dataBytes,
                field(root, "truncated", JsonNode::isBoolean).booleanValue(), createdAt, provenance);
    }

    /** A column's buffers: the kind's, in order, fixed-size ones as large as the row count makes them. */
    private static List<ColumnMeta.Buffer> buffers(JsonNode col, ColumnKind kind, long rows) throws IOException {
        List<String> names = ColumnLayout.diskBuffers(kind);
        JsonNode list = field(col, "buffers", JsonNode::isArray);
        if (list.size() != names.size()) {
            throw new IOException("meta.json: a " + kind.wireName() + " column has buffers " + names);
        }
        List<ColumnMeta.Buffer> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            JsonNode b = list.get(i);
            long bytes = integer(b, "bytes");
            long expected = ColumnLayout.expectedBytes(kind, names.get(i), rows);
            if (!names.get(i).equals(text(b, "name")) || bytes < 0 || expected >= 0 && bytes != expected) {
                throw new IOException("meta.json: buffer " + i + " of a " + kind.wireName() + " column does not match "
                        + names.get(i) + " for " + rows + " rows");
            }
            out.add(new ColumnMeta.Buffer(names.get(i), bytes));
        }
        return out;
    }

    private static JsonNode field(JsonNode node, String name, java.util.function.Predicate<JsonNode> valid)
            throws IOException {
        JsonNode value = node.get(name);
        if (value == null || !valid.test(value)) {
            throw new IOException("meta.json: missing or malformed field '" + name + "'");
        }
        return value;
    }

    private static String text(JsonNode node, String name) throws IOException {
        return field(node, name, JsonNode::isTextual).textValue();
    }

    private static long integer(JsonNode node, String name) throws IOException {
        return field(node, name, n -> n.isIntegralNumber() && n.canConvertToLong()).longValue();
    }
}
