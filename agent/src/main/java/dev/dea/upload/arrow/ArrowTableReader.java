package dev.dea.upload.arrow;

import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameValues;
import dev.dea.upload.source.Declared;
import dev.dea.upload.source.MalformedFile;
import dev.dea.upload.source.ReadOptions;
import dev.dea.upload.source.RowSink;
import dev.dea.upload.source.TableReader;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.Text;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An Arrow IPC stream, or an Arrow IPC file (Feather v2, recognised by its {@code ARROW1}
 * magic): the schema states each column's kind (docs/frame-format.md, "Uploads":
 * integers int64, floats float64, bool, utf8 string (json with the arrow.json extension),
 * decimal, date, timestamp with a zone timestamptz and without timestamp, time, binary bytes,
 * lists array; uint64 is decimal, to stay exact; a dictionary-encoded column, such as a pandas
 * categorical, is its values' kind). Record batches may be LZ4-compressed ({@link ArrowCodecs}).
 * Other types (structs, maps, intervals) are refused naming the column.
 */
public final class ArrowTableReader implements TableReader {
    /** Decoding holds one record batch at a time; the bound stops a hostile batch header, not honest files. */
    private static final long ALLOCATION_LIMIT = 2L << 30;

    @Override
    public void read(Path file, ReadOptions options, RowSink sink) throws IOException {
        try (BufferAllocator allocator = new RootAllocator(ALLOCATION_LIMIT);
             ArrowReader reader = open(file, allocator)) {
            VectorSchemaRoot root;
            try {
                root = reader.getVectorSchemaRoot();
            } catch (IOException | RuntimeException e) {
                throw new MalformedFile(1, 0, "the file is not an Arrow IPC stream (" + e.getClass().getSimpleName() + ")");
            }
            List<Field> fields = root.getSchema().getFields();
            Map<Long, Dictionary> dictionaries = reader.getDictionaryVectors();
            // A dictionary-encoded column (a pandas categorical) holds indexes; its kind is its values'.
            Field[] valueFields = new Field[fields.size()];
            for (int c = 0; c < fields.size(); c++) {
                Field f = fields.get(c);
                valueFields[c] = f.getDictionary() == null ? f : dictionaryField(f, dictionaries, c + 1);
                sink.column(f.getName(), Optional.of(declared(valueFields[c], c + 1)));
            }
            long row = 0;
            while (load(reader, row)) {
                int count = root.getRowCount();
                List<FieldVector> vectors = root.getFieldVectors();
                for (int r = 0; r < count; r++) {
                    row++;
                    Object[] cells = new Object[vectors.size()];
                    for (int c = 0; c < cells.length; c++) {
                        DictionaryEncoding encoding = fields.get(c).getDictionary();
                        try {
                            cells[c] = encoding == null ? value(vectors.get(c), valueFields[c], r)
                                    : decoded(vectors.get(c), dictionaries.get(encoding.getId()).getVector(),
                                    valueFields[c], r, row, c + 1);
                        } catch (java.time.DateTimeException | ArithmeticException e) {
                            // A time of day past 24 h, an instant beyond what java.time holds: the file's, not ours.
                            throw new MalformedFile(row, c + 1, Optional.of(valueFields[c].getName()),
                                    "a value outside its type's range (" + e.getMessage() + ")");
                        }
                    }
                    sink.row(row, cells);
                }
            }
        }
    }

    private static ArrowReader open(Path file, BufferAllocator allocator) throws IOException {
        byte[] magic = new byte[6];
        try (InputStream in = Files.newInputStream(file)) {
            in.readNBytes(magic, 0, magic.length);
        }
        if (new String(magic, java.nio.charset.StandardCharsets.ISO_8859_1).equals("ARROW1")) {
            return new ArrowFileReader(Files.newByteChannel(file), allocator, ArrowCodecs.INSTANCE);
        }
        return new ArrowStreamReader(new BufferedInputStream(Files.newInputStream(file), 1 << 16), allocator,
                ArrowCodecs.INSTANCE);
    }

    private static boolean load(ArrowReader reader, long rowsSoFar) {
        try {
            return reader.loadNextBatch();
        } catch (IOException | RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ArrowCodecs.Unsupported codec) {
                    throw new MalformedFile(rowsSoFar + 1, 0, "the record batch holding this row is " + codec.getMessage()
                            + "-compressed, which the agent does not decode; write the file with LZ4 or without "
                            + "compression (pandas: df.to_feather(path, compression='lz4'))");
                }
            }
            throw new MalformedFile(rowsSoFar + 1, 0, "the record batch holding this row cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    static Declared declared(Field f, int column) {
        if (f.getDictionary() != null) {
            throw unsupported(f, column);
        }
        ArrowType t = f.getType();
        return switch (t) {
            // Beyond int64: kept exact, as MySQL's BIGINT UNSIGNED is.
            case ArrowType.Int i when !i.getIsSigned() && i.getBitWidth() == 64 -> new Declared(ColumnKind.DECIMAL, "uint64");
            case ArrowType.Int i -> new Declared(ColumnKind.INT64, (i.getIsSigned() ? "int" : "uint") + i.getBitWidth());
            case ArrowType.FloatingPoint p -> new Declared(ColumnKind.FLOAT64, p.getPrecision().name().toLowerCase(java.util.Locale.ROOT));
            case ArrowType.Bool b -> new Declared(ColumnKind.BOOL, "bool");
            case ArrowType.Utf8 u -> text(f);
            case ArrowType.LargeUtf8 u -> text(f);
            case ArrowType.Decimal d -> new Declared(ColumnKind.DECIMAL, "decimal(" + d.getPrecision() + "," + d.getScale() + ")");
            case ArrowType.Date d -> new Declared(ColumnKind.DATE, "date");
            case ArrowType.Timestamp ts -> ts.getTimezone() == null
                    ? new Declared(ColumnKind.TIMESTAMP, "timestamp")
                    : new Declared(ColumnKind.TIMESTAMPTZ, "timestamptz");
            case ArrowType.Time tm -> new Declared(ColumnKind.TIME, "time");
            case ArrowType.Binary b -> new Declared(ColumnKind.BYTES, "binary");
            case ArrowType.LargeBinary b -> new Declared(ColumnKind.BYTES, "binary");
            case ArrowType.FixedSizeBinary b -> new Declared(ColumnKind.BYTES, "binary");
            case ArrowType.List l when scalarElement(f.getChildren().getFirst()) ->
                    new Declared(ColumnKind.ARRAY, element(f.getChildren().getFirst()) + "[]");
            default -> throw unsupported(f, column);
        };
    }

    /** Lists of scalars only: a nested list or struct has no frame encoding as an array element. */
    private static boolean scalarElement(Field child) {
        return child.getDictionary() == null && switch (child.getType()) {
            case ArrowType.Int i -> true;
            case ArrowType.FloatingPoint p -> true;
            case ArrowType.Bool b -> true;
            case ArrowType.Utf8 u -> true;
            case ArrowType.LargeUtf8 u -> true;
            case ArrowType.Decimal d -> true;
            case ArrowType.Date d -> true;
            case ArrowType.Timestamp ts -> true;
            case ArrowType.Binary b -> true;
            default -> false;
        };
    }

    private static Declared text(Field f) {
        boolean json = "arrow.json".equals(f.getMetadata().get("ARROW:extension:name"));
        return json ? new Declared(ColumnKind.JSON, "json") : new Declared(ColumnKind.STRING, "utf8");
    }

    /** The element's name in the spelling ArrowExport reads back from a source type ({@code bigint[]}). */
    private static String element(Field child) {
        return switch (child.getType()) {
            case ArrowType.Int i -> "bigint";
            case ArrowType.FloatingPoint p -> "double precision";
            case ArrowType.Bool b -> "boolean";
            case ArrowType.Date d -> "date";
            case ArrowType.Timestamp ts -> ts.getTimezone() == null ? "timestamp" : "timestamptz";
            case ArrowType.Binary b -> "bytea";
            default -> "text";
        };
    }

    /** The field of a dictionary-encoded column's values, or a 400 for a dictionary the file does not hold. */
    private static Field dictionaryField(Field f, Map<Long, Dictionary> dictionaries, int column) {
        Dictionary dictionary = dictionaries.get(f.getDictionary().getId());
        if (dictionary == null) {
            throw new MalformedFile(1, column, Optional.of(f.getName()), "the column's dictionary "
                    + f.getDictionary().getId() + " is not in the file");
        }
        Field values = dictionary.getVector().getField();
        return new Field(f.getName(), values.getFieldType(), values.getChildren());
    }

    /** The value at a dictionary-encoded column's index: a NULL index is NULL, an index outside it a 400. */
    private static Object decoded(FieldVector indexes, FieldVector dictionary, Field valueField, int r, long row,
                                  int column) {
        if (indexes.isNull(r)) {
            return null;
        }
        long i = ((BaseIntVector) indexes).getValueAsLong(r);
        if (i < 0 || i >= dictionary.getValueCount()) {
            throw new MalformedFile(row, column, Optional.of(valueField.getName()), "the dictionary index " + i
                    + " is outside the column's dictionary of " + dictionary.getValueCount() + " values");
        }
        return value(dictionary, valueField, (int) i);
    }

    private static MalformedFile unsupported(Field f, int column) {
        return new MalformedFile(1, column, Optional.of(f.getName()), "the Arrow type " + f.getType()
                + (f.getDictionary() != null ? " (dictionary-encoded)" : "") + " has no frame kind");
    }

    private static Object value(FieldVector v, Field f, int r) {
        if (v.isNull(r)) {
            return null;
        }
        return switch (v) {
            // getValueAsLong would wrap values of 2^63 and more into negative numbers.
            case UInt8Vector u -> new java.math.BigDecimal(u.getObjectNoOverflow(r));
            case BaseIntVector i -> i.getValueAsLong(r);
            case DateDayVector d -> LocalDate.ofEpochDay(d.get(r));
            case DateMilliVector d -> LocalDate.ofEpochDay(Math.floorDiv(d.get(r), 86_400_000L));
            case TimeStampVector ts -> timestamp(ts, f, r);
            // Stored as the text PostgreSQL would print, as times from the databases are.
            case TimeSecVector t -> FrameValues.formatTime(LocalTime.ofSecondOfDay(t.get(r)));
            case TimeMilliVector t -> FrameValues.formatTime(LocalTime.ofNanoOfDay(t.get(r) * 1_000_000L));
            case TimeMicroVector t -> FrameValues.formatTime(LocalTime.ofNanoOfDay(t.get(r) * 1_000L));
            case TimeNanoVector t -> FrameValues.formatTime(LocalTime.ofNanoOfDay(t.get(r)));
            case ListVector l -> {
                // Elements through the child vector, so dates and timestamps decode as they do in columns.
                FieldVector data = l.getDataVector();
                Field child = f.getChildren().getFirst();
                int start = l.getElementStartIndex(r);
                Object[] elements = new Object[l.getElementEndIndex(r) - start];
                for (int i = 0; i < elements.length; i++) {
                    elements[i] = value(data, child, start + i);
                }
                yield elements;
            }
            default -> plain(v.getObject(r), f);
        };
    }

    private static Object timestamp(TimeStampVector v, Field f, int r) {
        ArrowType.Timestamp type = (ArrowType.Timestamp) f.getType();
        long raw = v.get(r);
        Instant instant = switch (type.getUnit()) {
            case SECOND -> Instant.ofEpochSecond(raw);
            case MILLISECOND -> Instant.ofEpochMilli(raw);
            case MICROSECOND -> Instant.ofEpochSecond(Math.floorDiv(raw, 1_000_000L), Math.floorMod(raw, 1_000_000L) * 1_000L);
            case NANOSECOND -> Instant.ofEpochSecond(Math.floorDiv(raw, 1_000_000_000L), Math.floorMod(raw, 1_000_000_000L));
        };
        return type.getTimezone() == null ? instant.atOffset(ZoneOffset.UTC).toLocalDateTime() : instant.atOffset(ZoneOffset.UTC);
    }

    private static Object plain(Object o, Field f) {
        return switch (o) {
            case Text t when f.getType() instanceof ArrowType.Utf8 && text(f).kind() == ColumnKind.JSON ->
                    new FrameValues.RawJson(t.toString());
            case Text t -> t.toString();
            case Float x -> x.doubleValue();
            case Integer i -> i.longValue();
            case Short s -> s.longValue();
            case Byte b -> b.longValue();
            case java.time.LocalDateTime t when f.getType() instanceof ArrowType.Timestamp ts && ts.getTimezone() != null ->
                    t.atOffset(ZoneOffset.UTC);
            default -> o;
        };
    }
}
