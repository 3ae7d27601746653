package dev.dea.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dea.cache.ColumnLayout;
import dev.dea.cache.ColumnMeta;
import dev.dea.cache.FrameMeta;

import java.util.function.BiPredicate;

/**
 * What the runner gets of a cached frame (docs/sandbox-protocol.md, {@code execute} and
 * {@code sql_result}): the meta it reads, and which of the frame's buffer files follow it.
 */
final class RunnerFrames {
    private static final BiPredicate<ColumnMeta, ColumnMeta.Buffer> EVERY_BUFFER = (column, buffer) -> true;

    private RunnerFrames() {
    }

    /**
     * The buffers of a frame the runner gets: all of them where it reads exact decimals, else a
     * decimal it loads as floats goes without its text, which it would read only to drop (with its
     * offsets, about 16 bytes a row).
     */
    static BiPredicate<ColumnMeta, ColumnMeta.Buffer> buffers(boolean exactDecimals) {
        if (exactDecimals) {
            return EVERY_BUFFER;
        }
        return (column, buffer) -> !column.stepLoadsFloats()
                || buffer.name().equals(ColumnLayout.VALID) || buffer.name().equals(ColumnLayout.FLOAT);
    }

    /**
     * What runner.py reads of a frame's meta: columns (name, kind, source_type, dtype, the buffers
     * {@code sent}, two stats) and row_count.
     */
    static ObjectNode meta(FrameMeta meta, BiPredicate<ColumnMeta, ColumnMeta.Buffer> sent) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        ArrayNode columns = node.putArray("columns");
        for (ColumnMeta c : meta.columns()) {
            ObjectNode column = columns.addObject().put("name", c.name()).put("kind", c.kind().wireName())
                    .put("source_type", c.sourceType()).put("dtype", c.dtype());
            ArrayNode list = column.putArray("buffers");
            for (ColumnMeta.Buffer b : c.buffers()) {
                if (sent.test(c, b)) {
                    list.addObject().put("name", b.name()).put("bytes", b.bytes());
                }
            }
            // What the runner uses to intern repeated text: how many distinct values a column has (a lower
            // bound when not exact, which still tells a high-cardinality column).
            // And whether it has NULLs: a float64 column with NULLs cannot come back by reference (pandas
            // turns NULL into NaN, a value), nor a date or timestamp the runner could not load.
            ObjectNode stats = column.putObject("stats");
            if (c.stats().get("distinct_count") instanceof Long distinct) {
                stats.put("distinct_count", distinct);
            }
            if (c.stats().get("null_count") instanceof Long nulls) {
                stats.put("null_count", nulls);
            }
        }
        node.put("row_count", meta.rowCount());
        return node;
    }
}
