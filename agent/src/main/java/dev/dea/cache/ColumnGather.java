package dev.dea.cache;

import dev.dea.frame.ColumnKind;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A stored column's rows at given positions, written as a new column: what a sandbox that
 * filtered or reordered an input names instead of sending the values back. The source files
 * are the agent's own, checked when they were stored; the new column is checked again as it is
 * read back for its statistics ({@link ColumnIntake#check}).
 */
final class ColumnGather {
    private ColumnGather() {
    }

    /** The buffers the gathered column will have and their sizes, before anything is written (the size limit). */
    static List<ColumnMeta.Buffer> sizes(ColumnMeta source, List<FileChannel> files, RowPositions rows,
                                         boolean decimalFloats) throws IOException {
        long n = rows.size();
        if (decimalFloats) {
            return List.of(new ColumnMeta.Buffer(ColumnLayout.VALID, n), new ColumnMeta.Buffer(ColumnLayout.VALUES, 8 * n));
        }
        List<ColumnMeta.Buffer> out = new ArrayList<>();
        for (String name : ColumnLayout.wireBuffers(source.kind())) {
            long bytes = ColumnLayout.DATA.equals(name)
                    ? dataBytes(reader(files, source, ColumnLayout.OFFSETS), rows)
                    : ColumnLayout.expectedBytes(source.kind(), name, n);
            out.add(new ColumnMeta.Buffer(name, bytes));
        }
        return out;
    }

    /**
     * Writes the rows into {@code dir} as column {@code index}: the source's own buffers (a decimal
     * without its floats, which the check derives), or, with {@code decimalFloats}, a decimal's
     * float64 buffer as a float64 column without NULLs. Returns the buffers written.
     */
    static List<ColumnMeta.Buffer> write(ColumnMeta source, List<FileChannel> files, RowPositions rows,
                                         boolean decimalFloats, Path dir, int index) throws IOException {
        long[] at = rows.positions();
        if (decimalFloats) {
            try (BufferWriter valid = writer(dir, index, ColumnLayout.VALID);
                 BufferWriter values = writer(dir, index, ColumnLayout.VALUES)) {
                Reader floats = reader(files, source, ColumnLayout.FLOAT);
                for (long p : at) {
                    valid.writeByte(1);
                    values.writeLong(floats.getLong(8 * p));
                }
            }
            return sizes(source, files, rows, true);
        }
        List<ColumnMeta.Buffer> out = new ArrayList<>();
        if (!ColumnLayout.variable(source.kind())) {
            int width = ColumnLayout.width(source.kind());
            out.add(copyFixed(reader(files, source, ColumnLayout.VALID), at, 1, writer(dir, index, ColumnLayout.VALID),
                    ColumnLayout.VALID));
            out.add(copyFixed(reader(files, source, ColumnLayout.VALUES), at, width,
                    writer(dir, index, ColumnLayout.VALUES), ColumnLayout.VALUES));
            return out;
        }
        out.add(copyFixed(reader(files, source, ColumnLayout.VALID), at, 1, writer(dir, index, ColumnLayout.VALID),
                ColumnLayout.VALID));
        Reader offsets = reader(files, source, ColumnLayout.OFFSETS);
        Reader data = reader(files, source, ColumnLayout.DATA);
        long total = 0;
        try (BufferWriter newOffsets = writer(dir, index, ColumnLayout.OFFSETS);
             BufferWriter newData = writer(dir, index, ColumnLayout.DATA)) {
            byte[] chunk = new byte[8 << 10];
            newOffsets.writeLong(0);
            for (long p : at) {
                long start = offsets.getLong(8 * p);
                long end = offsets.getLong(8 * p + 8);
                if (start < 0 || end < start || end > data.size()) {
                    throw new IOException("row " + p + " of a stored column has offsets " + start + ".." + end
                            + " outside its " + data.size() + " data bytes");
                }
                for (long from = start; from < end; ) {
                    int len = (int) Math.min(chunk.length, end - from);
                    data.read(from, chunk, len);
                    newData.write(chunk, 0, len);
                    from += len;
                }
                total += end - start;
                newOffsets.writeLong(total);
            }
        }
        out.add(new ColumnMeta.Buffer(ColumnLayout.OFFSETS, 8L * (at.length + 1)));
        out.add(new ColumnMeta.Buffer(ColumnLayout.DATA, total));
        return out;
    }

    private static ColumnMeta.Buffer copyFixed(Reader from, long[] at, int width, BufferWriter to, String name)
            throws IOException {
        try (to) {
            for (long p : at) {
                if (width == 8) {
                    to.writeLong(from.getLong(8 * p));
                } else {
                    to.writeByte(from.getByte(p));
                }
            }
        }
        return new ColumnMeta.Buffer(name, (long) width * at.length);
    }

    private static long dataBytes(Reader offsets, RowPositions rows) throws IOException {
        long total = 0;
        for (long p : rows.positions()) {
            total += offsets.getLong(8 * p + 8) - offsets.getLong(8 * p);
        }
        return total;
    }

    private static BufferWriter writer(Path dir, int index, String buffer) throws IOException {
        return new BufferWriter(dir.resolve(ColumnLayout.fileName(index, buffer)));
    }

    private static Reader reader(List<FileChannel> files, ColumnMeta source, String buffer) throws IOException {
        List<ColumnMeta.Buffer> buffers = source.buffers();
        for (int b = 0; b < buffers.size(); b++) {
            if (buffers.get(b).name().equals(buffer)) {
                return new Reader(files.get(b), buffers.get(b).bytes());
            }
        }
        throw new IOException("a stored " + source.kind().wireName() + " column has no " + buffer + " buffer");
    }

    /**
     * Random reads of one stored buffer: mapped when it fits one mapping (up to 2 GiB), else
     * positional reads. Positions past the end are an IOException, never a wrong value.
     */
    private static final class Reader {
        private final FileChannel file;
        private final long size;
        private final ByteBuffer mapped;
        private final ByteBuffer eight = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        Reader(FileChannel file, long size) throws IOException {
            this.file = file;
            this.size = size;
            this.mapped = size <= Integer.MAX_VALUE
                    ? file.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN) : null;
        }

        long size() {
            return size;
        }

        long getLong(long at) throws IOException {
            check(at, 8);
            if (mapped != null) {
                return mapped.getLong((int) at);
            }
            read(at, eight.array(), 8);
            return eight.getLong(0);
        }

        byte getByte(long at) throws IOException {
            check(at, 1);
            if (mapped != null) {
                return mapped.get((int) at);
            }
            read(at, eight.array(), 1);
            return eight.get(0);
        }

        void read(long at, byte[] into, int len) throws IOException {
            check(at, len);
            if (mapped != null) {
                mapped.get((int) at, into, 0, len);
                return;
            }
            ByteBuffer target = ByteBuffer.wrap(into, 0, len);
            while (target.hasRemaining()) {
                if (file.read(target, at + target.position()) < 0) {
                    throw new IOException("a stored buffer ended before its size");
                }
            }
        }

        private void check(long at, int len) throws IOException {
            if (at < 0 || at > size - len) {
                throw new IOException("byte " + at + " is past the end of a stored buffer of " + size + " bytes");
            }
        }
    }
}
