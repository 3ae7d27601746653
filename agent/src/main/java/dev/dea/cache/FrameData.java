package dev.dea.cache;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The buffer files of a stored frame, opened together, in channel order (column by column,
 * buffer by buffer): what a sandbox receives byte for byte. Opened at once so eviction after
 * the lookup cannot leave half a frame; an open file stays readable once unlinked.
 */
public final class FrameData implements Closeable {
    private final List<InputStream> files;

    FrameData(Path dir, FrameMeta meta) throws IOException {
        List<InputStream> open = new ArrayList<>();
        try {
            for (int i = 0; i < meta.columns().size(); i++) {
                for (ColumnMeta.Buffer b : meta.columns().get(i).buffers()) {
                    open.add(Files.newInputStream(dir.resolve(ColumnLayout.fileName(i, b.name()))));
                }
            }
        } catch (IOException e) {
            FrameFiles.closeAll(open);
            throw e;
        }
        this.files = open;
    }

    /** Copies every buffer, in order, to {@code out}; does not flush or close it. */
    public void transferTo(OutputStream out) throws IOException {
        for (InputStream in : files) {
            in.transferTo(out);
        }
    }

    @Override
    public void close() throws IOException {
        FrameFiles.closeAll(files);
    }
}
