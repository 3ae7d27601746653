package dev.dea.upload.source;

import java.util.Optional;

/**
 * The file breaks its format (or a value breaks its column's kind) at a place the user can
 * find: {@code row} as {@link RowSink#row} counts, {@code column} 1-based, 0 when the problem is
 * not in one column (a line that is not a JSON object), the column's name when known.
 */
public final class MalformedFile extends RuntimeException {
    private final long row;
    private final int column;
    private final Optional<String> columnName;

    public MalformedFile(long row, int column, Optional<String> columnName, String problem) {
        super(problem);
        this.row = row;
        this.column = column;
        this.columnName = columnName;
    }

    public MalformedFile(long row, int column, String problem) {
        this(row, column, Optional.empty(), problem);
    }

    public long row() {
        return row;
    }

    public int column() {
        return column;
    }

    public Optional<String> columnName() {
        return columnName;
    }

    /** The bare problem, without the place. */
    public String problem() {
        return getMessage();
    }
}
