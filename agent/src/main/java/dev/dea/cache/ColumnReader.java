package dev.dea.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.EpochTime;
import dev.dea.frame.FrameValues;

import java.io.Closeable;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads one stored column row by row as the Java values {@link FrameValues} renders, so a
 * preview or an export prints exactly what the JSON encoding promises. All files of the
 * column are opened by the constructor: an open file stays readable if the frame is evicted
 * meanwhile. A strict reader also checks what only an untrusted producer (a sandbox) could
 * get wrong: flags, terminators, UTF-8, decimal and JSON syntax.
 */
final class ColumnReader implements Closeable {
    private static final JsonFactory JSON = new JsonFactory();
    /**
     * The largest single value an untrusted producer may send. A value is held whole while it is
     * checked (its bytes and its text, twice that for non-Latin text): at 32 MiB a step costs the
     * agent's heap about 100 MB at most, where the 256 MiB of the JSON-lines days cost up to a
     * gigabyte, and two steps could end an agent of the default 2 GB container.
     */
    static final int MAX_STRICT_VALUE_BYTES = 32 << 20;
    /** A sign, the digits numeric allows on both sides and the point. */
    private static final int MAX_DECIMAL_CHARS = FrameValues.MAX_DECIMAL_INTEGER_DIGITS + FrameValues.MAX_DECIMAL_SCALE + 2;

    private final ColumnKind kind;
    private final boolean strict;
    private final BufferReader valid;
    private final BufferReader values;
    private final BufferReader offsets;
    private final BufferReader data;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private long previousOffset;
    private byte[] bytes = new byte[256];

    ColumnReader(Path dir, int index, ColumnKind kind, boolean strict) throws IOException {
        this.kind = kind;
        this.strict = strict;
        boolean variable = ColumnLayout.variable(kind);
        BufferReader[] open = new BufferReader[variable ? 3 : 2];
        try {
            open[0] = open(dir, index, ColumnLayout.VALID);
            if (variable) {
                open[1] = open(dir, index, ColumnLayout.OFFSETS);
                open[2] = open(dir, index, ColumnLayout.DATA);
            } else {
                open[1] = open(dir, index, ColumnLayout.VALUES);
            }
        } catch (IOException e) {
            FrameFiles.closeAll(java.util.Arrays.asList(open));
            throw e;
        }
        this.valid = open[0];
        this.values = variable ? null : open[1];
        this.offsets = variable ? open[1] : null;
        this.data = variable ? open[2] : null;
        if (variable && offsets.readLong() != 0) {
            close();
            throw new IOException("column " + index + ": offsets do not start at 0");
        }
    }

    private static BufferReader open(Path dir, int index, String buffer) throws IOException {
        return new BufferReader(Files.newInputStream(dir.resolve(ColumnLayout.fileName(index, buffer))));
    }

    /** The next row's value; null for SQL NULL. */
    Object next() throws IOException {
        int flag = valid.readByte();
        if (flag > 1) {
            throw new IOException("a validity byte is neither 0 nor 1");
        }
        boolean present = flag == 1;
        if (!ColumnLayout.variable(kind)) {
            return fixed(present);
        }
        long offset = offsets.readLong();
        long length = offset - previousOffset - 1;
        if (length < 0 || length > Integer.MAX_VALUE - 16) {
            throw new IOException("offsets decrease or skip a terminator");
        }
        if (strict && length > MAX_STRICT_VALUE_BYTES) {
            // Checked before the value is read into memory: a producer must not make the agent allocate
            // up to FRAME_MAX_BYTES for one value.
            throw new IOException("a value of " + length + " bytes exceeds " + MAX_STRICT_VALUE_BYTES);
        }
        previousOffset = offset;
        int n = (int) length;
        if (bytes.length < n + 1) {
            bytes = new byte[Math.max(n + 1, bytes.length * 2)];
        }
        data.readFully(bytes, 0, n + 1);
        if (bytes[n] != 0) {
            throw new IOException("a value is not followed by its 0x00 terminator");
        }
        if (!present) {
            if (n != 0 && strict) {
                throw new IOException("a NULL slot holds bytes");
            }
            return null;
        }
        return variableValue(n);
    }

    private Object fixed(boolean present) throws IOException {
        if (kind == ColumnKind.BOOL) {
            int b = values.readByte();
            if (b > 1) {
                throw new IOException("a bool value is neither 0 nor 1");
            }
            return present ? b == 1 : null;
        }
        long v = values.readLong();
        if (!present) {
            return null;
        }
        return switch (kind) {
            case INT64 -> v;
            case FLOAT64 -> Double.longBitsToDouble(v);
            case DATE -> date(v);
            case TIMESTAMP -> EpochTime.timestamp(v);
            case TIMESTAMPTZ -> EpochTime.timestampTz(v);
            default -> throw new IllegalStateException("not a fixed-width kind: " + kind);
        };
    }

    private Object variableValue(int n) throws IOException {
        if (kind == ColumnKind.BYTES) {
            return Arrays.copyOf(bytes, n);
        }
        String text = strict ? decodeStrict(n) : new String(bytes, 0, n, StandardCharsets.UTF_8);
        return switch (kind) {
            case JSON, ARRAY -> {
                if (strict) {
                    checkJson(n);
                }
                yield new FrameValues.RawJson(text);
            }
            case DECIMAL -> strict ? decimal(text) : text;
            default -> text;
        };
    }

    private static java.time.LocalDate date(long days) throws IOException {
        try {
            return EpochTime.date(days);
        } catch (java.time.DateTimeException e) {
            throw new IOException("a date of " + days + " days from 1970 is beyond the years a date may have");
        }
    }

    /** The decimal's Java value for stats: BigDecimal, or the text of PostgreSQL's special values. */
    private static Object decimal(String text) throws IOException {
        return switch (text) {
            case "NaN", "Infinity", "-Infinity" -> text;
            default -> {
                // An exponent would let a few bytes stand for a gigabyte of plain text in previews and exports.
                if (text.indexOf('e') >= 0 || text.indexOf('E') >= 0) {
                    throw new IOException("a decimal value is not a number in plain notation");
                }
                // Parsing a number's digits costs time quadratic in their count: numeric's limits, checked first.
                if (text.length() > MAX_DECIMAL_CHARS) {
                    throw new IOException("a decimal value has more than " + FrameValues.MAX_DECIMAL_INTEGER_DIGITS
                            + " digits before its point or " + FrameValues.MAX_DECIMAL_SCALE + " after it");
                }
                try {
                    yield new BigDecimal(text);
                } catch (NumberFormatException e) {
                    throw new IOException("a decimal value is not a number in plain notation");
                }
            }
        };
    }

    private String decodeStrict(int n) throws IOException {
        if (isAscii(n)) {
            // Most text is ASCII, which is valid UTF-8 byte for byte: the strict decoder costs more than a scan.
            return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
        }
        try {
            return utf8.decode(ByteBuffer.wrap(bytes, 0, n)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("a text value is not valid UTF-8");
        }
    }

    private boolean isAscii(int n) {
        for (int i = 0; i < n; i++) {
            if (bytes[i] < 0) {
                return false;
            }
        }
        return true;
    }

    private void checkJson(int n) throws IOException {
        try (JsonParser p = JSON.createParser(bytes, 0, n)) {
            if (p.nextToken() == null) {
                throw new IOException("an empty json value");
            }
            p.skipChildren();
            if (kind == ColumnKind.ARRAY && p.currentToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
                throw new IOException("an array value is not a JSON array");
            }
            if (p.nextToken() != null) {
                throw new IOException("a json value is followed by more text");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("a json value is not valid JSON");
        }
    }

    /** After the last row: every buffer consumed exactly. */
    void checkEnd() throws IOException {
        boolean done = valid.atEnd() && (values == null ? offsets.atEnd() && data.atEnd() : values.atEnd());
        if (!done) {
            throw new IOException("a column file holds more bytes than its rows");
        }
    }

    @Override
    public void close() throws IOException {
        FrameFiles.closeAll(java.util.Arrays.asList(valid, values, offsets, data));
    }
}
