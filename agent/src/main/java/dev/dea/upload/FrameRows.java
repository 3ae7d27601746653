package dev.dea.upload;

import dev.dea.cache.FrameWriter;
import dev.dea.frame.FrameColumn;
import dev.dea.upload.source.Declared;
import dev.dea.upload.source.MalformedFile;
import dev.dea.upload.source.RowSink;

import java.util.List;
import java.util.Optional;

/** The second pass over an upload: each cell converted to its column's kind and appended to the frame. */
final class FrameRows implements RowSink {
    private final List<FrameColumn> columns;
    private final FrameWriter writer;

    FrameRows(List<FrameColumn> columns, FrameWriter writer) {
        this.columns = columns;
        this.writer = writer;
    }

    @Override
    public void column(String name, Optional<Declared> declared) {
        // Declared in the first pass already, in the same order.
    }

    @Override
    public void row(long row, Object[] cells) {
        Object[] values = new Object[columns.size()];
        for (int i = 0; i < cells.length && i < values.length; i++) {
            FrameColumn column = columns.get(i);
            try {
                values[i] = Cells.convert(cells[i], column.kind());
            } catch (IllegalArgumentException e) {
                throw new MalformedFile(row, i + 1, Optional.of(column.name()), e.getMessage());
            }
        }
        writer.append(values);
    }
}
