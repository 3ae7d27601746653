package dev.dea.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.EpochTime;
import dev.dea.frame.FrameValues;
import dev.dea.frame.WireValues;

import java.io.Closeable;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one column of a frame, row by row, as the buffers of {@link ColumnLayout}. Takes the
 * Java values {@link FrameValues} documents; a value of another type than the kind's is
 * converted through its text, as the JSON encoding would have printed it.
 */
final class ColumnAppender implements Closeable {
    private static final JsonFactory JSON = new JsonFactory();

    private final ColumnKind kind;
    private final List<String> names;
    private final BufferWriter[] files;
    private final BufferWriter valid;
    private final BufferWriter values;
    private final BufferWriter offsets;
    private final BufferWriter data;
    private final BufferWriter floats;

    ColumnAppender(Path dir, int index, ColumnKind kind, int bufferBytes) throws IOException {
        this.kind = kind;
        this.names = ColumnLayout.diskBuffers(kind);
        this.files = new BufferWriter[names.size()];
        try {
            for (int i = 0; i < files.length; i++) {
                files[i] = new BufferWriter(dir.resolve(ColumnLayout.fileName(index, names.get(i))), bufferBytes);
            }
        } catch (IOException e) {
            close();
            throw e;
        }
        this.valid = files[0];
        boolean variable = ColumnLayout.variable(kind);
        this.values = variable ? null : files[1];
        this.offsets = variable ? files[1] : null;
        this.data = variable ? files[2] : null;
        this.floats = kind == ColumnKind.DECIMAL ? files[3] : null;
        if (variable) {
            offsets.writeLong(0);
        }
    }

    /** Bytes written so far, all buffers together. */
    long bytes() {
        long sum = 0;
        for (BufferWriter f : files) {
            sum += f.count();
        }
        return sum;
    }

    void append(Object value) throws IOException {
        valid.writeByte(value == null ? 0 : 1);
        if (!ColumnLayout.variable(kind)) {
            writeFixed(value);
            return;
        }
        if (value != null) {
            byte[] bytes = bytes(value);
            data.write(bytes, 0, bytes.length);
        }
        if (floats != null) {
            floats.writeDouble(ColumnLayout.decimalFloat(value));
        }
        data.writeByte(0);
        offsets.writeLong(data.count());
    }

    private void writeFixed(Object value) throws IOException {
        Object v = value instanceof String s ? WireValues.fromText(s, kind) : value;
        switch (kind) {
            case INT64 -> values.writeLong(v == null ? 0 : ((Number) v).longValue());
            case FLOAT64 -> values.writeDouble(v == null ? Double.NaN : ((Number) v).doubleValue());
            case BOOL -> values.writeByte(v != null && (Boolean) v ? 1 : 0);
            case DATE -> values.writeLong(v == null ? 0 : EpochTime.days(date(v)));
            case TIMESTAMP -> values.writeLong(v == null ? 0 : EpochTime.micros((LocalDateTime) v));
            case TIMESTAMPTZ -> values.writeLong(v == null ? 0 : EpochTime.micros((OffsetDateTime) v));
            default -> throw new IllegalStateException("not a fixed-width kind: " + kind);
        }
    }

    private static LocalDate date(Object v) {
        return v instanceof java.sql.Date d ? d.toLocalDate() : (LocalDate) v;
    }

    /** The stored bytes of a variable-length value: text as UTF-8, json and arrays as compact JSON, bytes raw. */
    private byte[] bytes(Object value) throws IOException {
        return switch (kind) {
            case BYTES -> value instanceof byte[] b ? b : value.toString().getBytes(StandardCharsets.UTF_8);
            case JSON, ARRAY -> utf8(value instanceof FrameValues.RawJson j ? j.json() : json(value));
            default -> utf8(switch (value) {
                case String s -> s;
                case BigDecimal d -> d.toPlainString();
                case java.time.LocalTime t -> FrameValues.formatTime(t);
                default -> value.toString();
            });
        };
    }

    /** A value's compact JSON text, as {@link FrameValues#write} encodes it. */
    static String json(Object value) throws IOException {
        java.io.StringWriter out = new java.io.StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            FrameValues.write(g, value);
        }
        return out.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Closes the files and returns their sizes, in buffer order. */
    List<ColumnMeta.Buffer> finish() throws IOException {
        close();
        List<ColumnMeta.Buffer> out = new ArrayList<>(files.length);
        for (int i = 0; i < files.length; i++) {
            out.add(new ColumnMeta.Buffer(names.get(i), files[i].count()));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        FrameFiles.closeAll(java.util.Arrays.asList(files));
    }
}
