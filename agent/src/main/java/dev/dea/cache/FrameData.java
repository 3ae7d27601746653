package dev.dea.cache;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

import static java.util.Objects.requireNonNull;

/**
 * The buffer files of a stored frame, opened together, in channel order (column by column,
 * buffer by buffer): what a sandbox receives byte for byte. Opened at once so eviction after
 * the lookup cannot leave half a frame; an open file stays readable once unlinked, also for
 * {@link FrameWriter#receive} copying a column the sandbox returned unchanged.
 */
public final class FrameData implements Closeable {
    private final FrameMeta meta;
    /** Per column, its buffers' files in meta order. */
    private final List<List<FileChannel>> columns;

    FrameData(Path dir, FrameMeta meta) throws IOException {
        this.meta = requireNonNull(meta, "meta");
        List<List<FileChannel>> open = new ArrayList<>();
        try {
            for (int i = 0; i < meta.columns().size(); i++) {
                List<FileChannel> files = new ArrayList<>();
                open.add(files);
                for (ColumnMeta.Buffer b : meta.columns().get(i).buffers()) {
                    files.add(FileChannel.open(dir.resolve(ColumnLayout.fileName(i, b.name())), StandardOpenOption.READ));
                }
            }
        } catch (IOException e) {
            closeAll(open);
            throw e;
        }
        this.columns = open;
    }

    public FrameMeta meta() {
        return meta;
    }

    /** Copies every buffer, in order, to {@code out}; does not flush or close it. */
    public void transferTo(OutputStream out) throws IOException {
        transferTo(out, (column, buffer) -> true);
    }

    /** Copies, in order, the buffers {@code send} accepts to {@code out}; does not flush or close it. */
    public void transferTo(OutputStream out, BiPredicate<ColumnMeta, ColumnMeta.Buffer> send) throws IOException {
        for (int c = 0; c < columns.size(); c++) {
            ColumnMeta column = meta.columns().get(c);
            for (int b = 0; b < columns.get(c).size(); b++) {
                if (send.test(column, column.buffers().get(b))) {
                    // From the start whatever was read before: the files are shared with copyColumn.
                    Channels.newInputStream(columns.get(c).get(b).position(0)).transferTo(out);
                }
            }
        }
    }

    /** Copies column {@code column}'s files into {@code dir} as column {@code index}; returns the buffers written. */
    List<ColumnMeta.Buffer> copyColumn(int column, Path dir, int index) throws IOException {
        List<ColumnMeta.Buffer> buffers = meta.columns().get(column).buffers();
        for (int b = 0; b < buffers.size(); b++) {
            copy(column, b, dir.resolve(ColumnLayout.fileName(index, buffers.get(b).name())));
        }
        return buffers;
    }

    /**
     * Writes decimal column {@code column}'s float64 buffer into {@code dir} as the float64 column
     * {@code index} without NULLs (a NULL is its NaN there), as pandas holds it; returns its buffers.
     */
    List<ColumnMeta.Buffer> copyDecimalFloats(int column, Path dir, int index) throws IOException {
        List<ColumnMeta.Buffer> buffers = meta.columns().get(column).buffers();
        int floats = buffers.stream().map(ColumnMeta.Buffer::name).toList().indexOf(ColumnLayout.FLOAT);
        if (floats < 0) {
            throw new IOException("column " + column + " of frame " + meta.key() + " has no float64 buffer");
        }
        long rows = meta.rowCount();
        try (BufferWriter valid = new BufferWriter(dir.resolve(ColumnLayout.fileName(index, ColumnLayout.VALID)))) {
            for (long r = 0; r < rows; r++) {
                valid.writeByte(1);
            }
        }
        copy(column, floats, dir.resolve(ColumnLayout.fileName(index, ColumnLayout.VALUES)));
        return List.of(new ColumnMeta.Buffer(ColumnLayout.VALID, rows), new ColumnMeta.Buffer(ColumnLayout.VALUES, rows * 8));
    }

    /** The buffers {@link #gather} would write, with their sizes. */
    List<ColumnMeta.Buffer> gatherSizes(int column, RowPositions rows, boolean decimalFloats) throws IOException {
        return ColumnGather.sizes(meta.columns().get(column), columns.get(column), rows, decimalFloats);
    }

    /**
     * Writes column {@code column}'s rows at {@code rows} into {@code dir} as column {@code index}
     * ({@link ColumnGather#write}); returns the buffers written.
     */
    List<ColumnMeta.Buffer> gather(int column, RowPositions rows, boolean decimalFloats, Path dir, int index)
            throws IOException {
        return ColumnGather.write(meta.columns().get(column), columns.get(column), rows, decimalFloats, dir, index);
    }

    private void copy(int column, int buffer, Path target) throws IOException {
        FileChannel from = columns.get(column).get(buffer);
        long size = meta.columns().get(column).buffers().get(buffer).bytes();
        try (FileChannel to = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long done = 0;
            while (done < size) {
                long n = from.transferTo(done, size - done, to);
                if (n <= 0) {
                    throw new IOException("column " + column + " of frame " + meta.key() + " ended after "
                            + done + " of " + size + " bytes");
                }
                done += n;
            }
        }
    }

    @Override
    public void close() throws IOException {
        closeAll(columns);
    }

    private static void closeAll(List<List<FileChannel>> columns) throws IOException {
        List<FileChannel> all = new ArrayList<>();
        columns.forEach(all::addAll);
        FrameFiles.closeAll(all);
    }
}
