package dev.dea.cache;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams a frame's JSON rows out as previews, a JSON document or CSV. Nothing here holds more
 * than one row in memory. The output stream belongs to the caller: it is flushed, never
 * closed.
 */
final class FrameExports {
    private static final int BUFFER_BYTES = 1 << 16;

    private final ObjectMapper mapper;
    private final ObjectReader rowReader;

    FrameExports(ObjectMapper mapper, ObjectReader rowReader) {
        this.mapper = mapper;
        this.rowReader = rowReader;
    }

    /** At most {@code maxRows} rows whose lines hold at most {@code maxBytes} together; it stops at the first that would not fit. */
    List<JsonNode> previewRows(InputStream in, int maxRows, long maxBytes) throws IOException {
        List<JsonNode> rows = new ArrayList<>(Math.min(maxRows, 1024));
        long bytes = 0;
        try (RowLines lines = new RowLines(in)) {
            while (rows.size() < maxRows && lines.next()) {
                bytes += lines.length();
                if (bytes > maxBytes) {
                    break;
                }
                rows.add(rowReader.readTree(lines.bytes(), 0, lines.length()));
            }
        }
        return rows;
    }

    /**
     * Writes {"columns":[names],"rows":[rows]}. Each JSON row already is an array, so the
     * bytes are copied with the line breaks turned into commas: no parsing.
     */
    void writeJson(List<String> columnNames, InputStream in, OutputStream out) throws IOException {
        OutputStream o = new BufferedOutputStream(out, BUFFER_BYTES);
        o.write("{\"columns\":".getBytes(StandardCharsets.UTF_8));
        o.write(mapper.writeValueAsBytes(columnNames));
        o.write(",\"rows\":[".getBytes(StandardCharsets.UTF_8));
        byte[] buffer = new byte[BUFFER_BYTES];
        boolean pendingBreak = false;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    o.write(buffer, start, i - start);
                    start = i + 1;
                    pendingBreak = true;
                } else if (pendingBreak) {
                    // A separator only between rows: the file's final '\n' must not become a trailing comma.
                    o.write(',');
                    pendingBreak = false;
                }
            }
            o.write(buffer, start, n - start);
        }
        o.write("]}".getBytes(StandardCharsets.UTF_8));
        o.flush();
    }

    /**
     * RFC 4180 CSV with a header row and CRLF line ends. NULL is an empty field and the
     * empty string a quoted empty field, so the two stay distinct; numbers keep their
     * on-disk text; arrays and json values become their JSON text.
     */
    void writeCsv(List<String> columnNames, InputStream in, OutputStream out) throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), BUFFER_BYTES);
        for (int i = 0; i < columnNames.size(); i++) {
            if (i > 0) {
                w.write(',');
            }
            writeCsvText(w, columnNames.get(i));
        }
        w.write("\r\n");
        try (RowLines lines = new RowLines(in)) {
            while (lines.next()) {
                writeCsvRow(w, lines.bytes(), lines.length());
            }
        }
        w.flush();
    }

    private void writeCsvRow(Writer w, byte[] line, int length) throws IOException {
        try (JsonParser p = mapper.getFactory().createParser(line, 0, length)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException("a row of the frame is not a JSON array");
            }
            boolean first = true;
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw new IOException("a row of the frame ends early");
                }
                if (!first) {
                    w.write(',');
                }
                first = false;
                switch (t) {
                    case VALUE_NULL -> {
                    }
                    case VALUE_STRING -> writeCsvText(w, p.getText());
                    // getText() of a number is its text as written: no double rounding.
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> w.write(p.getText());
                    case START_ARRAY, START_OBJECT -> {
                        // The value's own bytes (with the row read from offset 0 the offsets index `line`).
                        int start = (int) p.currentTokenLocation().getByteOffset();
                        p.skipChildren();
                        int end = (int) p.currentLocation().getByteOffset();
                        writeCsvText(w, new String(line, start, end - start, StandardCharsets.UTF_8));
                    }
                    default -> throw new IOException("unexpected token " + t + " in a row of the frame");
                }
            }
        }
        w.write("\r\n");
    }

    private static void writeCsvText(Writer w, String s) throws IOException {
        if (!s.isEmpty() && !needsQuotes(s)) {
            w.write(s);
            return;
        }
        w.write('"');
        int from = 0;
        int quote;
        while ((quote = s.indexOf('"', from)) >= 0) {
            w.write(s, from, quote + 1 - from);
            w.write('"');
            from = quote + 1;
        }
        w.write(s, from, s.length() - from);
        w.write('"');
    }

    private static boolean needsQuotes(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r') {
                return true;
            }
        }
        return false;
    }
}
