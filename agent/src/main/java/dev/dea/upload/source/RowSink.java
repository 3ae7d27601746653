package dev.dea.upload.source;

import java.util.Optional;

/**
 * Receives a table as a reader finds it in an uploaded file. A reader is run twice over the
 * same file (once to infer the column kinds, once to write the frame) and must declare the
 * same columns in the same order both times.
 */
public interface RowSink {
    /**
     * Declares the next column, before any row holding a value of it. {@code declared}: the
     * column's kind when the file states it (Arrow), empty when it is to be inferred.
     */
    void column(String name, Optional<Declared> declared);

    /**
     * One row. {@code row}: where it begins in the file, 1-based, as a user sees it (line of a
     * CSV or JSON Lines file, row of a sheet; the header counts). {@code cells[i]} belongs to the
     * i-th declared column; a shorter array means the missing trailing cells are empty. A cell is
     * null, a {@code String} (text whose kind is inferred), a Jackson {@code JsonNode}, or a Java
     * value of dev.dea.frame.FrameValues (Long, Double, Boolean, BigDecimal, LocalDate, ...).
     */
    void row(long row, Object[] cells);
}
