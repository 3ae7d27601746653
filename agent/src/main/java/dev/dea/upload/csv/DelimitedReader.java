package dev.dea.upload.csv;

import dev.dea.cache.FrameWriter;
import dev.dea.upload.source.MalformedFile;
import dev.dea.upload.source.ReadOptions;
import dev.dea.upload.source.RowSink;
import dev.dea.upload.source.TableReader;
import dev.dea.upload.source.Utf8Text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * CSV (RFC 4180) and TSV, UTF-8 with an optional byte order mark. Fields may be quoted with
 * {@code "}, which lets them hold the delimiter, line breaks and doubled quotes; an empty field
 * is an empty cell. Blank lines are skipped. Every record must have as many fields as the
 * header (or, without one, as the first record).
 */
public final class DelimitedReader implements TableReader {
    private final char delimiter;

    private DelimitedReader(char delimiter) {
        this.delimiter = delimiter;
    }

    public static DelimitedReader csv() {
        return new DelimitedReader(',');
    }

    public static DelimitedReader tsv() {
        return new DelimitedReader('\t');
    }

    @Override
    public void read(Path file, ReadOptions options, RowSink sink) throws IOException {
        try (Reader reader = new BufferedReader(Files.newBufferedReader(file, StandardCharsets.UTF_8), 1 << 16)) {
            Records records = new Records(reader, delimiter);
            int width = -1;
            List<String> names = null;
            List<String> fields;
            while ((fields = records.next()) != null) {
                long row = records.recordLine();
                if (width < 0) {
                    width = fields.size();
                    names = declare(fields, options.header(), row, sink);
                    if (options.header()) {
                        continue;
                    }
                }
                if (fields.size() != width) {
                    int column = Math.min(fields.size(), width) + 1;
                    String problem = fields.size() > width
                            ? "the row has " + fields.size() + " fields, the header " + width
                            : "the row has " + fields.size() + " fields, " + width + " are expected";
                    throw new MalformedFile(row, column,
                            column <= width ? Optional.of(names.get(column - 1)) : Optional.empty(), problem);
                }
                Object[] cells = new Object[width];
                for (int i = 0; i < width; i++) {
                    String f = fields.get(i);
                    cells[i] = f.isEmpty() ? null : f;
                }
                sink.row(row, cells);
            }
        } catch (CharacterCodingException e) {
            throw Utf8Text.notUtf8(file);
        }
    }

    private static List<String> declare(List<String> first, boolean header, long row, RowSink sink) {
        List<String> names = new ArrayList<>(first.size());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < first.size(); i++) {
            String name = header ? first.get(i).strip() : "";
            if (name.isEmpty()) {
                name = "column_" + (i + 1);
            }
            if (!seen.add(name)) {
                throw new MalformedFile(row, i + 1, Optional.of(name), "the header names column '" + name + "' twice");
            }
            names.add(name);
            sink.column(name, Optional.empty());
        }
        return names;
    }

    /** Splits the character stream into records, counting lines (quoted line breaks included). */
    static final class Records {
        private final Reader in;
        private final char delimiter;
        private long line = 1;
        private long recordLine;
        private boolean first = true;
        private int pushed = -2;

        Records(Reader in, char delimiter) {
            this.in = in;
            this.delimiter = delimiter;
        }

        long recordLine() {
            return recordLine;
        }

        private int read() throws IOException {
            if (pushed != -2) {
                int c = pushed;
                pushed = -2;
                return c;
            }
            int c = in.read();
            if (first) {
                first = false;
                if (c == '\uFEFF') {
                    c = in.read();
                }
            }
            return c;
        }

        /** The next record's fields, or null at the end; blank lines are skipped. */
        List<String> next() throws IOException {
            int c = read();
            while (c == '\n' || c == '\r') {
                c = lineBreak(c);
            }
            if (c == -1) {
                return null;
            }
            recordLine = line;
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            while (true) {
                if (c == '"' && field.isEmpty()) {
                    long opened = line;
                    c = quoted(field, opened, fields.size() + 1);
                } else {
                    while (c != -1 && c != delimiter && c != '\n' && c != '\r') {
                        field.append((char) c);
                        c = read();
                    }
                }
                fields.add(field.toString());
                field.setLength(0);
                // Before the rest of a record of millions of fields is in memory.
                FrameWriter.requireWidth(fields.size());
                if (c == delimiter) {
                    c = read();
                    continue;
                }
                if (c == '\n' || c == '\r') {
                    pushed = lineBreak(c);
                }
                return fields;
            }
        }

        /** Reads a quoted field's content after the opening quote; returns the character after the closing one. */
        private int quoted(StringBuilder field, long opened, int column) throws IOException {
            while (true) {
                int c = read();
                if (c == -1) {
                    throw new MalformedFile(opened, column, "the quoted field opened on this row is never closed");
                }
                if (c == '"') {
                    int next = read();
                    if (next == '"') {
                        field.append('"');
                        continue;
                    }
                    if (next != -1 && next != delimiter && next != '\n' && next != '\r') {
                        throw new MalformedFile(line, column,
                                "a closing quote must end the field; found '" + (char) next + "' after it");
                    }
                    return next;
                }
                if (c == '\n') {
                    line++;
                } else if (c == '\r') {
                    int next = read();
                    if (next != '\n') {
                        pushed = next;
                    } else {
                        field.append('\r');
                        c = '\n';
                    }
                    line++;
                }
                field.append((char) c);
            }
        }

        /** Consumes one line break ({@code \n}, {@code \r\n} or {@code \r}); returns the character after it. */
        private int lineBreak(int c) throws IOException {
            line++;
            int next = read();
            if (c == '\r' && next == '\n') {
                next = read();
            }
            return next;
        }
    }
}
