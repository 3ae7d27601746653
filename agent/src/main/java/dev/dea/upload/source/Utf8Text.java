package dev.dea.upload.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a text upload stops being UTF-8. The readers decode through buffers that read ahead, so
 * when decoding fails they do not know the line; the file is still on disk, and this finds it.
 */
public final class Utf8Text {
    private Utf8Text() {
    }

    /** The problem at the first line of {@code file} (1-based) holding bytes that are not UTF-8. */
    public static MalformedFile notUtf8(Path file) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.allocate(1 << 16);
        CharBuffer out = CharBuffer.allocate(1 << 16);
        long line = 1;
        try (InputStream stream = Files.newInputStream(file)) {
            boolean end = false;
            while (true) {
                int n = end ? -1 : stream.read(in.array(), in.position(), in.remaining());
                if (n < 0) {
                    end = true;
                } else {
                    in.position(in.position() + n);
                }
                in.flip();
                int start = in.position();
                CoderResult result = decoder.decode(in, out, end);
                line += newlines(in.array(), start, in.position());
                out.clear();
                if (result.isError()) {
                    return problem(line);
                }
                in.compact();
                if (end && in.position() == 0) {
                    // Truncated sequences at the very end are errors of decode(..., true) above.
                    return problem(line);
                }
            }
        }
    }

    private static long newlines(byte[] bytes, int from, int to) {
        long n = 0;
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                n++;
            }
        }
        return n;
    }

    private static MalformedFile problem(long line) {
        return new MalformedFile(line, 0, "the line holds bytes that are not UTF-8; the file must be UTF-8 text "
                + "(a spreadsheet's \"CSV UTF-8\" export)");
    }
}
