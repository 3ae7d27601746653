package dev.dea.upload;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Uploaded bytes on disk, never in memory: a format is read twice (to infer kinds, then to
 * write) and xlsx needs random access. Files live in the spool directory, which is emptied at
 * start-up, so a crash leaves nothing behind for long.
 */
final class Spool {
    private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary=(\"([^\"]+)\"|[^;\\s]+)");
    private static final Pattern DISPOSITION_PARAM = Pattern.compile("(?i);\\s*(name|filename)=(\"([^\"]*)\"|[^;\\s]+)");
    private static final int MAX_HEADER_LINE = 8 * 1024;

    private final Path dir;
    private final long maxBytes;

    Spool(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
    }

    /** The uploaded part of a multipart body: its file name and content type as sent, if any. */
    record Part(Path file, Optional<String> fileName, Optional<String> contentType) {
    }

    /** Copies the body to a new spool file; 413 beyond the limit. The caller deletes the file. */
    Path copy(InputStream body, long declaredLength) throws IOException {
        // A 413's body is drained by the HTTP layer, as for every refused body.
        if (declaredLength > maxBytes) {
            throw tooLarge();
        }
        Path file = Files.createTempFile(dir, "upload-", ".part");
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = body.read(buffer)) > 0) {
                total += n;
                if (total > maxBytes) {
                    throw tooLarge();
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return file;
    }

    /**
     * The one part named {@code file} of a multipart/form-data body spooled in {@code body}, copied
     * to its own spool file (which the caller deletes). Other parts are ignored.
     */
    Part filePart(Path body, String contentType) throws IOException {
        Matcher m = BOUNDARY.matcher(contentType);
        if (!m.find()) {
            throw AgentException.validation("A multipart/form-data body needs a boundary in its Content-Type");
        }
        String boundary = m.group(2) != null ? m.group(2) : m.group(1);
        byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        // The first boundary has no line break before it: one is supplied, so every delimiter looks alike.
        try (InputStream in = new BufferedInputStream(new SequenceInputStream(
                new ByteArrayInputStream(new byte[]{'\r', '\n'}), Files.newInputStream(body)), 1 << 16)) {
            if (!skipTo(in, delimiter, OutputStream.nullOutputStream())) {
                throw malformed("no part starts with the boundary");
            }
            Part found = fileUntilLastBoundary(in, delimiter);
            if (found == null) {
                throw AgentException.validation("The multipart body has no part named 'file'; send the file as the form field 'file'");
            }
            return found;
        }
    }

    /**
     * Reads parts up to the closing boundary: the file part's copy, null when there is none. When
     * the body turns out malformed after the copy was made, the copy is deleted: the caller never
     * learns of it.
     */
    private Part fileUntilLastBoundary(InputStream in, byte[] delimiter) throws IOException {
        Part found = null;
        try {
            while (true) {
                int a = in.read();
                int b = in.read();
                if (a == '-' && b == '-') {
                    break;
                }
                if (a != '\r' || b != '\n') {
                    throw malformed("a boundary line does not end with a line break");
                }
                String disposition = null;
                String partType = null;
                String line;
                while (!(line = headerLine(in)).isEmpty()) {
                    int colon = line.indexOf(':');
                    String header = colon < 0 ? "" : line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                    if (header.equals("content-disposition")) {
                        disposition = line.substring(colon + 1);
                    } else if (header.equals("content-type")) {
                        partType = line.substring(colon + 1).strip();
                    }
                }
                Map<String, String> params = dispositionParams(disposition);
                if ("file".equals(params.get("name"))) {
                    if (found != null) {
                        throw AgentException.validation("The multipart body has more than one part named 'file'; send one");
                    }
                    Path file = Files.createTempFile(dir, "upload-", ".file");
                    found = new Part(file, Optional.ofNullable(params.get("filename")), Optional.ofNullable(partType));
                    boolean ended;
                    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                        ended = skipTo(in, delimiter, out);
                    }
                    if (!ended) {
                        throw malformed("the part 'file' is not closed by a boundary");
                    }
                } else if (!skipTo(in, delimiter, OutputStream.nullOutputStream())) {
                    throw malformed("a part is not closed by a boundary");
                }
            }
            return found;
        } catch (IOException | RuntimeException e) {
            if (found != null) {
                try {
                    Files.deleteIfExists(found.file());
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    /**
     * Copies {@code in} to {@code out} up to and excluding the next {@code delimiter}; false when
     * the stream ends first. Knuth-Morris-Pratt, so a near-match in the data is written back exactly.
     */
    static boolean skipTo(InputStream in, byte[] delimiter, OutputStream out) throws IOException {
        int[] fallback = new int[delimiter.length];
        for (int i = 1, k = 0; i < delimiter.length; i++) {
            while (k > 0 && delimiter[i] != delimiter[k]) {
                k = fallback[k - 1];
            }
            if (delimiter[i] == delimiter[k]) {
                k++;
            }
            fallback[i] = k;
        }
        int matched = 0;
        int b;
        while ((b = in.read()) != -1) {
            while (matched > 0 && b != (delimiter[matched] & 0xff)) {
                int k = fallback[matched - 1];
                out.write(delimiter, 0, matched - k);
                matched = k;
            }
            if (b == (delimiter[matched] & 0xff)) {
                matched++;
                if (matched == delimiter.length) {
                    return true;
                }
            } else {
                out.write(b);
            }
        }
        return false;
    }

    private static String headerLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            line.write(b);
            if (line.size() > MAX_HEADER_LINE) {
                throw malformed("a part header is longer than " + MAX_HEADER_LINE + " bytes");
            }
        }
        throw malformed("the body ends inside a part's headers");
    }

    private static Map<String, String> dispositionParams(String disposition) {
        if (disposition == null) {
            return Map.of();
        }
        Map<String, String> params = new java.util.HashMap<>();
        Matcher m = DISPOSITION_PARAM.matcher(disposition);
        while (m.find()) {
            params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(3) != null ? m.group(3) : m.group(2));
        }
        return params;
    }

    private static AgentException malformed(String problem) {
        return AgentException.validation("The multipart/form-data body is malformed: " + problem);
    }

    private AgentException tooLarge() {
        return new AgentException(ErrorType.PAYLOAD_TOO_LARGE, "The upload exceeds the limit of " + maxBytes
                + " bytes (UPLOAD_MAX_BYTES)", Map.of("max_upload_bytes", maxBytes), null);
    }
}
