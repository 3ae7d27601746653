package dev.dea.cache;

import dev.dea.frame.ColumnKind;
import dev.dea.frame.ColumnStats;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Takes one column of a result that arrives in its stored layout (a sandbox's, runner
 * protocol 2): copies the buffers to their files as they come, then reads them back strictly,
 * which checks every value, feeds the statistics and derives what the producer does not send
 * (a decimal's float64 buffer). A column that fails a check is a {@link BadColumnException}.
 */
final class ColumnIntake {
    /** The producer broke the layout; nothing of the frame may be kept. */
    static final class BadColumnException extends IOException {
        BadColumnException(String message) {
            super(message);
        }
    }

    private ColumnIntake() {
    }

    /**
     * Reads the column's wire buffers (sizes as announced) from {@code in} into {@code dir} and
     * returns the stored buffers with their sizes.
     */
    static List<ColumnMeta.Buffer> receive(InputStream in, Path dir, int index, ColumnKind kind, long rows,
                                           List<ColumnMeta.Buffer> announced, ColumnStats stats) throws IOException {
        List<String> expected = ColumnLayout.wireBuffers(kind);
        if (announced.size() != expected.size()) {
            throw new BadColumnException("column " + index + " (" + kind.wireName() + ") needs buffers " + expected);
        }
        List<ColumnMeta.Buffer> stored = new ArrayList<>();
        for (int b = 0; b < expected.size(); b++) {
            ColumnMeta.Buffer buffer = announced.get(b);
            String name = expected.get(b);
            long size = ColumnLayout.expectedBytes(kind, name, rows);
            if (!buffer.name().equals(name) || size >= 0 && buffer.bytes() != size) {
                throw new BadColumnException("column " + index + ": buffer " + b + " must be " + name
                        + (size >= 0 ? " of " + size + " bytes" : ""));
            }
            try (BufferWriter file = new BufferWriter(dir.resolve(ColumnLayout.fileName(index, name)))) {
                file.copy(in, buffer.bytes());
            }
            stored.add(buffer);
        }
        return check(dir, index, kind, rows, stored, stats);
    }

    /**
     * Reads the column's files in {@code dir} back strictly, feeding {@code stats}, and derives a
     * decimal's float64 buffer; returns {@code stored} with the derived buffer added.
     */
    static List<ColumnMeta.Buffer> check(Path dir, int index, ColumnKind kind, long rows, List<ColumnMeta.Buffer> stored,
                                         ColumnStats stats) throws IOException {
        stored = new ArrayList<>(stored);
        BufferWriter floats = kind == ColumnKind.DECIMAL
                ? new BufferWriter(dir.resolve(ColumnLayout.fileName(index, ColumnLayout.FLOAT))) : null;
        try (ColumnReader reader = new ColumnReader(dir, index, kind, true)) {
            for (long r = 0; r < rows; r++) {
                Object value = reader.next();
                stats.accept(value);
                if (floats != null) {
                    floats.writeDouble(ColumnLayout.decimalFloat(value));
                }
            }
            reader.checkEnd();
        } catch (BadColumnException e) {
            throw e;
        } catch (IOException e) {
            throw new BadColumnException("column " + index + " (" + kind.wireName() + "): " + e.getMessage());
        } finally {
            if (floats != null) {
                floats.close();
            }
        }
        if (floats != null) {
            stored.add(new ColumnMeta.Buffer(ColumnLayout.FLOAT, floats.count()));
        }
        return stored;
    }
}
