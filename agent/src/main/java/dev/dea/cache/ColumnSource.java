package dev.dea.cache;

import dev.dea.frame.ColumnKind;

import java.io.IOException;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** Where {@link FrameWriter#receive} takes a column from: the stream, or a column of a frame already stored. */
public sealed interface ColumnSource permits ColumnSource.Wire, ColumnSource.Copy, ColumnSource.Gather {

    /** Every column from the wire, with these announced buffers. */
    static List<ColumnSource> wire(List<List<ColumnMeta.Buffer>> buffers) {
        return buffers.stream().<ColumnSource>map(Wire::new).toList();
    }

    /**
     * The buffers column {@code i} of {@code kind} and {@code rows} rows will take, before anything is
     * read or copied (the frame size limit is checked on them).
     */
    List<ColumnMeta.Buffer> announced(int i, ColumnKind kind, long rows) throws IOException;

    /** The column's buffers follow on the stream, of these announced sizes. */
    record Wire(List<ColumnMeta.Buffer> buffers) implements ColumnSource {
        public Wire {
            buffers = List.copyOf(buffers);
        }

        @Override
        public List<ColumnMeta.Buffer> announced(int i, ColumnKind kind, long rows) {
            return buffers;
        }
    }

    /**
     * The column is column {@code column} of {@code frame} as stored (a sandbox returned it unchanged):
     * its files are copied and its statistics kept, nothing is read from the stream. With
     * {@code decimalFloats}, it is a decimal column's float64 buffer as a float64 column without
     * NULLs (what pandas held it as, returned unchanged); its statistics are computed.
     */
    record Copy(FrameData frame, int column, boolean decimalFloats) implements ColumnSource {
        public Copy {
            requireNonNull(frame, "frame");
        }

        public Copy(FrameData frame, int column) {
            this(frame, column, false);
        }

        @Override
        public List<ColumnMeta.Buffer> announced(int i, ColumnKind kind, long rows) throws ColumnIntake.BadColumnException {
            ColumnMeta source = fitting(i, kind, rows, frame, column, decimalFloats, frame.meta().rowCount() == rows);
            return decimalFloats ? List.of(new ColumnMeta.Buffer(ColumnLayout.VALID, rows),
                    new ColumnMeta.Buffer(ColumnLayout.VALUES, rows * 8)) : source.buffers();
        }
    }

    /**
     * The column is the rows of column {@code column} of {@code frame} at {@code positions}, in their
     * order (a sandbox filtered or reordered an input and left the column's values alone): they are
     * gathered from its files and their statistics computed; nothing is read from the stream. With
     * {@code decimalFloats}, as in {@link Copy}.
     */
    record Gather(FrameData frame, int column, boolean decimalFloats, RowPositions positions) implements ColumnSource {
        public Gather {
            requireNonNull(frame, "frame");
            requireNonNull(positions, "positions");
        }

        @Override
        public List<ColumnMeta.Buffer> announced(int i, ColumnKind kind, long rows) throws IOException {
            FrameMeta from = frame.meta();
            fitting(i, kind, rows, frame, column, decimalFloats, positions.size() == rows);
            if (positions.max() >= from.rowCount()) {
                throw new ColumnIntake.BadColumnException("column " + i + " names row " + positions.max()
                        + " of a frame of " + from.rowCount() + " rows");
            }
            return frame.gatherSizes(column, positions, decimalFloats);
        }
    }

    /** The named column, if it exists and a column of {@code kind} can be made of it; else why not. */
    private static ColumnMeta fitting(int i, ColumnKind kind, long rows, FrameData frame, int column,
                                      boolean decimalFloats, boolean rowsFit) throws ColumnIntake.BadColumnException {
        FrameMeta from = frame.meta();
        if (column < 0 || column >= from.columns().size()) {
            throw new ColumnIntake.BadColumnException("column " + i + " names column " + column + " of a frame of "
                    + from.columns().size() + " columns");
        }
        ColumnMeta source = from.columns().get(column);
        boolean floats = source.buffers().stream().anyMatch(b -> b.name().equals(ColumnLayout.FLOAT));
        boolean fits = decimalFloats ? source.kind() == ColumnKind.DECIMAL && kind == ColumnKind.FLOAT64 && floats
                : source.kind() == kind;
        if (!fits || !rowsFit) {
            throw new ColumnIntake.BadColumnException("column " + i + " (" + kind.wireName() + ", " + rows
                    + " rows) names " + (decimalFloats ? "the floats of " : "") + "a column of "
                    + source.kind().wireName() + " and " + from.rowCount() + " rows");
        }
        return source;
    }
}
