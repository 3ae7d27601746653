package dev.dea.execute;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.cache.FrameCache;
import dev.dea.cache.FramePin;
import dev.dea.cache.FrameWriter;
import dev.dea.cache.Provenance;
import dev.dea.error.AgentException;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameColumn;
import dev.dea.frame.WireValues;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Turns {@code input_data} sent inline ({@code {"columns": [...], "rows": [[...]]}}) into a
 * cached frame, so sandboxed code sees inline data exactly as it sees cached results.
 * Kinds are inferred per column from the JSON values: all integers -> int64, any other
 * number -> float64, booleans -> bool, strings -> string, anything else (or a mix) -> json.
 */
public final class InlineFrames {
    private final FrameCache cache;

    public InlineFrames(FrameCache cache) {
        this.cache = requireNonNull(cache, "cache");
    }

    public FramePin store(String name, JsonNode data, Optional<String> requestId) {
        String where = "input_data['" + name + "']";
        if (data == null || !data.isObject()) {
            throw AgentException.validation(where + " must be an object with 'columns' and 'rows'");
        }
        JsonNode columns = data.get("columns");
        JsonNode rows = data.get("rows");
        if (columns == null || !columns.isArray() || columns.isEmpty()) {
            throw AgentException.validation(where + ".columns must be a non-empty array of column names");
        }
        if (rows == null || !rows.isArray()) {
            throw AgentException.validation(where + ".rows must be an array of rows");
        }
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode c : columns) {
            if (!c.isTextual() || c.asText().isEmpty()) {
                throw AgentException.validation(where + ".columns must hold non-empty strings");
            }
            if (!seen.add(c.asText())) {
                throw AgentException.validation(where + ".columns has '" + c.asText() + "' twice");
            }
            names.add(c.asText());
        }
        int width = names.size();
        int index = 0;
        for (JsonNode row : rows) {
            if (!row.isArray() || row.size() != width) {
                throw AgentException.validation(where + ".rows[" + index + "] must be an array of " + width + " values");
            }
            index++;
        }
        List<FrameColumn> frameColumns = new ArrayList<>(width);
        for (int c = 0; c < width; c++) {
            ColumnKind kind = infer(rows, c);
            frameColumns.add(new FrameColumn(names.get(c), kind, "inline"));
        }
        try (FrameWriter writer = cache.create(frameColumns, new Provenance("inline", "input_data['" + name + "']", List.of(), requestId))) {
            for (JsonNode row : rows) {
                Object[] values = new Object[width];
                for (int c = 0; c < width; c++) {
                    // Plain JSON of the inferred kinds is already the wire encoding of those kinds.
                    values[c] = WireValues.read(row.get(c), frameColumns.get(c).kind());
                }
                writer.append(values);
            }
            // Pinned until the step that reads it has opened it, after its wait for a sandbox slot.
            return writer.commitPinned();
        }
    }

    static ColumnKind infer(JsonNode rows, int column) {
        ColumnKind kind = null;
        for (JsonNode row : rows) {
            JsonNode v = row.get(column);
            if (v == null || v.isNull()) {
                continue;
            }
            ColumnKind k = v.isIntegralNumber() && v.canConvertToLong() ? ColumnKind.INT64
                    : v.isNumber() ? ColumnKind.FLOAT64
                    : v.isBoolean() ? ColumnKind.BOOL
                    : v.isTextual() ? ColumnKind.STRING
                    : ColumnKind.JSON;
            if (kind == null) {
                kind = k;
            } else if (kind != k) {
                boolean numeric = (kind == ColumnKind.INT64 || kind == ColumnKind.FLOAT64)
                        && (k == ColumnKind.INT64 || k == ColumnKind.FLOAT64);
                kind = numeric ? ColumnKind.FLOAT64 : ColumnKind.JSON;
            }
        }
        // A column of only NULLs has no evidence; object (str) is what pandas would give it.
        return kind == null ? ColumnKind.STRING : kind;
    }
}
