package dev.dea.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.cache.ColumnSource;
import dev.dea.cache.FrameData;
import dev.dea.cache.RowPositions;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The frames whose columns a step's result may name instead of sending them back
 * (docs/sandbox-protocol.md, "Unchanged columns"): the step's inputs, and the first sql() frames
 * it fetched, whose files stay open until the step ends so that eviction cannot take them. The
 * runner only names a sql() frame the agent marked {@code reusable}.
 */
final class ReusableFrames implements Closeable {
    /** sql() frames kept open per step; a step may make 1,000 calls. */
    static final int MAX_SQL_FRAMES = 8;
    /** Their columns in all: each is two to four open files. */
    static final int MAX_SQL_COLUMNS = 256;

    private final List<FrameData> inputs;
    private final Map<Long, FrameData> sql = new LinkedHashMap<>();
    private int sqlColumns;

    /** {@code inputs} in the order of execute.inputs; they stay the caller's to close. */
    ReusableFrames(List<FrameData> inputs) {
        this.inputs = List.copyOf(inputs);
    }

    /**
     * Keeps the files of the frame answering sql() call {@code id} open if there is room; then this
     * object closes them and the answer says {@code reusable}. False: the caller closes them.
     */
    boolean keepSql(JsonNode id, int columns, FrameData data) {
        requireNonNull(data, "data");
        if (!id.isIntegralNumber() || !id.canConvertToLong() || sql.containsKey(id.asLong())
                || sql.size() >= MAX_SQL_FRAMES || sqlColumns + columns > MAX_SQL_COLUMNS) {
            return false;
        }
        sql.put(id.asLong(), data);
        sqlColumns += columns;
        return true;
    }

    /**
     * The column a result column names ({@code "input": [input index, column]} or {@code "sql": [sql id,
     * column]}, with {@code "buffer": "float"} for a decimal column's floats, and {@code "rows": true}
     * for its rows at the frame's {@code positions}), or empty when its buffers follow on the wire.
     * The column index, kind, row count and positions are checked by the frame writer against the
     * named frame.
     */
    Optional<ColumnSource> sourceOf(JsonNode column, RowPositions positions) throws RunnerExchange.ProtocolException {
        boolean input = column.has("input");
        if (!input && !column.has("sql")) {
            return Optional.empty();
        }
        if (input && column.has("sql")) {
            throw new RunnerExchange.ProtocolException("a result column names both an input and a sql() frame");
        }
        JsonNode reference = column.get(input ? "input" : "sql");
        if (!reference.isArray() || reference.size() != 2 || !reference.get(0).isIntegralNumber()
                || !reference.get(0).canConvertToLong() || !reference.get(1).isInt()) {
            throw new RunnerExchange.ProtocolException("a result column's " + (input ? "input" : "sql")
                    + " must be [frame, column index]");
        }
        long frame = reference.get(0).asLong();
        FrameData data = input ? (frame >= 0 && frame < inputs.size() ? inputs.get((int) frame) : null) : sql.get(frame);
        if (data == null) {
            throw new RunnerExchange.ProtocolException("a result column names " + (input ? "input " : "sql() frame ")
                    + frame + ", which " + (input ? "the step was not given" : "the agent did not keep"));
        }
        // "buffer": "float": a decimal column's float64 buffer, which is what pandas held (as float64) by default.
        JsonNode buffer = column.path("buffer");
        if (!buffer.isMissingNode() && !"float".equals(buffer.textValue())) {
            throw new RunnerExchange.ProtocolException("a result column may only name a column's float buffer");
        }
        JsonNode rows = column.path("rows");
        if (!rows.isMissingNode() && !rows.isBoolean()) {
            throw new RunnerExchange.ProtocolException("a result column's rows must be true or false");
        }
        if (rows.asBoolean(false)) {
            if (positions == null) {
                throw new RunnerExchange.ProtocolException("a result column names rows, but the frame sent no positions");
            }
            return Optional.of(new ColumnSource.Gather(data, reference.get(1).asInt(), !buffer.isMissingNode(), positions));
        }
        return Optional.of(new ColumnSource.Copy(data, reference.get(1).asInt(), !buffer.isMissingNode()));
    }

    /**
     * The input rows that a result's {@code "rows": true} columns hold, which precede every column's
     * buffers on {@code in} ({@code frame.rows} = {@code {"bytes": 8 * row_count}}); null when the
     * frame sends none.
     */
    static RowPositions positions(JsonNode spec, long rowCount, InputStream in) throws RunnerExchange.ProtocolException {
        if (spec.isMissingNode()) {
            return null;
        }
        if (!spec.isObject() || spec.size() != 1 || !spec.path("bytes").canConvertToLong()
                || spec.path("bytes").asLong() != 8 * rowCount) {
            throw new RunnerExchange.ProtocolException("a result frame's rows must be {\"bytes\": 8 * row_count}");
        }
        try {
            return RowPositions.read(in, rowCount);
        } catch (IOException e) {
            throw new RunnerExchange.ProtocolException("result frame rows: " + e.getMessage());
        }
    }

    /** Closes the kept sql() frames. Idempotent. */
    @Override
    public void close() throws IOException {
        List<FrameData> kept = new ArrayList<>(sql.values());
        sql.clear();
        IOException failure = null;
        for (FrameData data : kept) {
            try {
                data.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
