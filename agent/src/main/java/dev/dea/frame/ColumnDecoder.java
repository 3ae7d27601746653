package dev.dea.frame;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;

import static java.util.Objects.requireNonNull;

/**
 * One dialect's reading of result columns: which frame column a result column becomes and how
 * its values are read into the Java values {@link FrameValues} encodes. Chosen once per column,
 * not per value. {@link JdbcFrames#POSTGRESQL} is PostgreSQL's; MySQL's lives in
 * {@code dev.dea.frame.mysql}.
 */
public interface ColumnDecoder {
    /** Column {@code index} (1-based) of a result: its frame column and reader. */
    Decoded decode(ResultSetMetaData meta, int index) throws SQLException;

    @FunctionalInterface
    interface ValueReader {
        Object read(ResultSet rs, int index) throws SQLException;
    }

    record Decoded(FrameColumn column, ValueReader reader) {
        public Decoded {
            requireNonNull(column, "column");
            requireNonNull(reader, "reader");
        }
    }
}
