package dev.dea.cache;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** File-system helpers of the cache. */
final class FrameFiles {
    private FrameFiles() {
    }

    /**
     * Deletes a file or a directory tree. Symbolic links are deleted, never followed, so
     * a planted link cannot make the cache delete files outside its directory. Entries
     * that vanish concurrently are fine.
     */
    static void deleteTree(Path path) throws IOException {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
                for (Path child : children) {
                    deleteTree(child);
                }
            } catch (NoSuchFileException gone) {
                return;
            }
        }
        Files.deleteIfExists(path);
    }

    /** Closes every one (nulls skipped), then throws the first failure. */
    static void closeAll(Iterable<? extends java.io.Closeable> resources) throws IOException {
        IOException first = null;
        for (java.io.Closeable c : resources) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Counts the bytes that reach the underlying stream. */
    static final class CountingOutputStream extends FilterOutputStream {
        private long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        long count() {
            return count;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            // FilterOutputStream's version writes byte by byte.
            out.write(b, off, len);
            count += len;
        }
    }
}
