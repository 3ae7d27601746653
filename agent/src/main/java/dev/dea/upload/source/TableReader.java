package dev.dea.upload.source;

import java.io.IOException;
import java.nio.file.Path;

/** Reads one file format as a table; one implementation per format, each in its own package. */
public interface TableReader {
    /**
     * Streams {@code file}'s rows to {@code sink}.
     *
     * @throws MalformedFile where the file breaks its format, naming the row and column
     */
    void read(Path file, ReadOptions options, RowSink sink) throws IOException;
}
