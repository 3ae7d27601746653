package dev.dea.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dea.cache.FrameMeta;
import dev.dea.error.AgentException;
import dev.dea.execute.ExecutionResult;
import dev.dea.execute.ResultColumn;
import dev.dea.profile.TableProfile;

import java.io.IOException;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Shapes service results for a model's context window: the same values as the HTTP API
 * (rendered by the agent's own mapper, so encodings agree with /execute and /frames), but
 * flattened, with a short preview, long cells and outputs cut, and figures left to image
 * content instead of base64 text. The cache key is always there so a later step can chain.
 */
final class CompactResults {
    /** A preview cell longer than this is cut: one long text or JSON value must not flood the context. */
    static final int MAX_CELL_CHARS = 200;
    /** stdout and stderr kept per Python step (the HTTP API keeps up to SANDBOX_OUTPUT_LIMIT_BYTES). */
    static final int MAX_OUTPUT_CHARS = 4_000;

    private final ObjectMapper mapper;

    CompactResults(ObjectMapper mapper) {
        this.mapper = requireNonNull(mapper, "mapper");
    }

    /** run_sql, run_python, run_python_on_frames. */
    ObjectNode execution(ExecutionResult result) {
        JsonNode full = tree(result);
        JsonNode meta = full.path("metadata");
        ObjectNode out = mapper.createObjectNode();
        out.put("cache_key", result.cacheKey().orElse(null));
        out.put("frame_created", result.frameCreated());
        out.set("row_count", meta.path("row_count"));
        out.set("preview_row_count", meta.path("preview_row_count"));
        out.set("truncated", meta.path("truncated"));
        out.set("max_rows_reached", meta.path("max_rows_reached"));
        out.set("execution_time_ms", meta.path("execution_time_ms"));
        copyNonEmpty(meta, "tables_read", out);
        copyNonEmpty(meta, "parent_keys", out);
        out.set("columns", meta.path("result_schema"));
        out.set("rows", clipRows(full.path("data").path("rows")));
        result.python().ifPresent(py -> {
            out.put("stdout", clip(py.stdout(), MAX_OUTPUT_CHARS));
            out.put("stderr", clip(py.stderr(), MAX_OUTPUT_CHARS));
            // Figures come as image content too; every artifact (files as well) is listed by key for download.
            ArrayNode figures = out.putArray("figures");
            ArrayNode artifacts = out.putArray("artifacts");
            py.artifacts().forEach(a -> {
                if (a.source().equals("figure")) {
                    figures.addObject().put("name", a.name()).put("media_type", a.mediaType())
                            .put("width", a.width().orElse(0)).put("height", a.height().orElse(0));
                }
                artifacts.addObject().put("name", a.name()).put("media_type", a.mediaType())
                        .put("size_bytes", a.sizeBytes()).put("key", a.key()).put("url", a.url())
                        .put("source", a.source());
            });
        });
        return out;
    }

    /** get_frame: what {@code GET /frames/{key}} says, flattened the same way. */
    ObjectNode frame(FrameMeta meta, List<?> previewRows) {
        ObjectNode out = mapper.createObjectNode();
        out.put("cache_key", meta.key());
        out.put("row_count", meta.rowCount());
        out.put("preview_row_count", previewRows.size());
        out.put("truncated", previewRows.size() < meta.rowCount());
        out.put("max_rows_reached", meta.truncated());
        out.put("bytes", meta.bytes());
        out.put("created_at", meta.createdAt().toString());
        ObjectNode provenance = out.putObject("provenance");
        provenance.put("kind", meta.provenance().kind());
        provenance.put("source", clip(meta.provenance().source(), MAX_OUTPUT_CHARS));
        provenance.set("parent_keys", mapper.valueToTree(meta.provenance().parentKeys()));
        out.set("columns", tree(meta.columns().stream().map(ResultColumn::of).toList()));
        out.set("rows", clipRows(tree(previewRows)));
        return out;
    }

    /**
     * profile_table: the profile of {@code GET /schema/{table}/profile} without the histogram
     * buckets (ten or more numbers per column that a model rarely reads; top values, quartiles,
     * min, max, mean and stddev stay).
     */
    ObjectNode profile(TableProfile profile) {
        ObjectNode out = (ObjectNode) tree(profile);
        for (JsonNode column : out.path("columns")) {
            if (column instanceof ObjectNode c) {
                c.remove("histogram");
                c.remove("histogram_estimated");
            }
        }
        return out;
    }

    private ArrayNode clipRows(JsonNode rows) {
        ArrayNode out = mapper.createArrayNode();
        for (JsonNode row : rows) {
            ArrayNode clipped = out.addArray();
            for (JsonNode cell : row) {
                clipped.add(clipCell(cell));
            }
        }
        return out;
    }

    /** Text is cut with a marker saying how much is missing; a long array or JSON value becomes its cut text. */
    JsonNode clipCell(JsonNode cell) {
        if (cell.isTextual()) {
            String s = cell.textValue();
            return s.length() <= MAX_CELL_CHARS ? cell : mapper.getNodeFactory().textNode(clip(s, MAX_CELL_CHARS));
        }
        if (cell.isContainerNode()) {
            String s = cell.toString();
            return s.length() <= MAX_CELL_CHARS ? cell : mapper.getNodeFactory().textNode(clip(s, MAX_CELL_CHARS));
        }
        return cell;
    }

    static String clip(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        return s.substring(0, max) + "…[+" + (s.length() - max) + " chars]";
    }

    private static void copyNonEmpty(JsonNode from, String field, ObjectNode to) {
        JsonNode v = from.path(field);
        if (v.isArray() && !v.isEmpty()) {
            to.set(field, v);
        }
    }

    /** Through the agent's own serialisation, so every value is encoded exactly as the HTTP API encodes it. */
    private JsonNode tree(Object value) {
        try {
            return mapper.readTree(mapper.writeValueAsBytes(value));
        } catch (IOException e) {
            throw AgentException.internal("Cannot render a tool result", e);
        }
    }
}
