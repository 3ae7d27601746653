package dev.dea.upload.arrow;

import dev.dea.upload.source.Declared;
import dev.dea.upload.source.MalformedFile;
import dev.dea.upload.source.ReadOptions;
import dev.dea.upload.source.RowSink;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.compression.AbstractCompressionCodec;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.ArrowWriter;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ArrowTableReaderTest {
    @TempDir
    Path dir;

    private final List<String> columns = new ArrayList<>();
    private final List<String> rows = new ArrayList<>();
    private final RowSink sink = new RowSink() {
        @Override
        public void column(String name, Optional<Declared> declared) {
            columns.add(name + ":" + declared.map(d -> d.kind().wireName()).orElse("?"));
        }

        @Override
        public void row(long row, Object[] cells) {
            rows.add(row + ":" + Arrays.toString(cells));
        }
    };

    private Path write(boolean fileFormat) throws IOException {
        return write(fileFormat, null, CompressionUtil.CodecType.NO_COMPRESSION);
    }

    /** With {@code codecs} null, uncompressed; else record batches compressed with {@code codec}. */
    private Path write(boolean fileFormat, CompressionCodec.Factory codecs, CompressionUtil.CodecType codec)
            throws IOException {
        Path path = dir.resolve((fileFormat ? "t.arrow" : "t.arrows") + codec);
        try (BufferAllocator allocator = new RootAllocator();
             IntVector id = new IntVector("id", allocator);
             VarCharVector name = new VarCharVector("name", allocator);
             TimeStampMilliTZVector at = new TimeStampMilliTZVector("at", allocator, "UTC")) {
            id.allocateNew(2);
            name.allocateNew(2);
            at.allocateNew(2);
            id.set(0, 7);
            id.setNull(1);
            name.set(0, "seven".getBytes(StandardCharsets.UTF_8));
            name.set(1, "none".getBytes(StandardCharsets.UTF_8));
            at.set(0, 1_700_000_000_000L);
            at.setNull(1);
            id.setValueCount(2);
            name.setValueCount(2);
            at.setValueCount(2);
            try (VectorSchemaRoot root = VectorSchemaRoot.of(id, name, at);
                 OutputStream out = Files.newOutputStream(path);
                 ArrowWriter writer = codecs == null
                         ? (fileFormat ? new ArrowFileWriter(root, null, Channels.newChannel(out))
                                 : new ArrowStreamWriter(root, null, out))
                         : fileFormat
                         ? new ArrowFileWriter(root, null, Channels.newChannel(out), null, IpcOption.DEFAULT, codecs, codec)
                         : new ArrowStreamWriter(root, null, Channels.newChannel(out), IpcOption.DEFAULT, codecs, codec)) {
                writer.start();
                writer.writeBatch();
                writer.end();
            }
        }
        return path;
    }

    @Test
    void readsStreamsAndFilesWithTheirDeclaredKinds() throws IOException {
        for (boolean fileFormat : new boolean[]{false, true}) {
            columns.clear();
            rows.clear();
            new ArrowTableReader().read(write(fileFormat), new ReadOptions(true, Optional.empty()), sink);
            assertThat(columns).containsExactly("id:int64", "name:string", "at:timestamptz");
            String at = OffsetDateTime.of(2023, 11, 14, 22, 13, 20, 0, ZoneOffset.UTC).toString();
            assertThat(rows).as(fileFormat ? "file" : "stream")
                    .containsExactly("1:[7, seven, " + at + "]", "2:[null, none, null]");
        }
    }

    @Test
    void readsLz4CompressedBatchesAsPandasToFeatherWritesThemByDefault() throws IOException {
        for (boolean fileFormat : new boolean[]{false, true}) {
            columns.clear();
            rows.clear();
            Path lz4 = write(fileFormat, CommonsCompressionFactory.INSTANCE, CompressionUtil.CodecType.LZ4_FRAME);
            new ArrowTableReader().read(lz4, new ReadOptions(true, Optional.empty()), sink);
            assertThat(rows).as(fileFormat ? "file" : "stream").hasSize(2).first().asString().startsWith("1:[7, seven, ");
        }
    }

    /** Claims ZSTD, stores the bytes as they are: the reader must refuse it by name before decoding. */
    private static final class FakeZstd extends AbstractCompressionCodec {
        @Override
        protected ArrowBuf doCompress(BufferAllocator allocator, ArrowBuf uncompressed) {
            ArrowBuf out = allocator.buffer(uncompressed.writerIndex() + CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH);
            out.setBytes(CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH, uncompressed, 0, uncompressed.writerIndex());
            out.writerIndex(uncompressed.writerIndex() + CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH);
            return out;
        }

        @Override
        protected ArrowBuf doDecompress(BufferAllocator allocator, ArrowBuf compressed) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompressionUtil.CodecType getCodecType() {
            return CompressionUtil.CodecType.ZSTD;
        }
    }

    @Test
    void zstdCompressedBatchesAreRefusedByName() throws IOException {
        CompressionCodec.Factory zstd = new CompressionCodec.Factory() {
            @Override
            public CompressionCodec createCodec(CompressionUtil.CodecType type) {
                return new FakeZstd();
            }

            @Override
            public CompressionCodec createCodec(CompressionUtil.CodecType type, int level) {
                return new FakeZstd();
            }
        };
        Path file = write(false, zstd, CompressionUtil.CodecType.ZSTD);
        MalformedFile e = catchThrowableOfType(MalformedFile.class,
                () -> new ArrowTableReader().read(file, new ReadOptions(true, Optional.empty()), sink));
        assertThat(e.row()).isEqualTo(1);
        assertThat(e.getMessage()).contains("ZSTD-compressed", "compression='lz4'");
    }

    @Test
    void uint64BeyondInt64StaysExactAsADecimal() throws IOException {
        Path path = dir.resolve("u.arrows");
        try (BufferAllocator allocator = new RootAllocator(); UInt8Vector u = new UInt8Vector("u", allocator)) {
            u.allocateNew(2);
            u.set(0, -1L);   // 2^64 - 1 as unsigned
            u.set(1, 5L);
            u.setValueCount(2);
            try (VectorSchemaRoot root = VectorSchemaRoot.of(u); OutputStream out = Files.newOutputStream(path);
                 ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
                writer.start();
                writer.writeBatch();
                writer.end();
            }
        }
        new ArrowTableReader().read(path, new ReadOptions(true, Optional.empty()), sink);
        assertThat(columns).containsExactly("u:decimal");
        assertThat(rows).containsExactly("1:[18446744073709551615]", "2:[5]");
    }

    @Test
    void dictionaryEncodedColumnsAsPandasCategoricalsWriteThemAreTheirValuesKind() throws IOException {
        Path path = dir.resolve("dict.arrows");
        try (BufferAllocator allocator = new RootAllocator();
             VarCharVector values = new VarCharVector("color-dictionary", allocator);
             VarCharVector raw = new VarCharVector("color", allocator)) {
            values.allocateNew(2);
            values.set(0, "red".getBytes(StandardCharsets.UTF_8));
            values.set(1, "green".getBytes(StandardCharsets.UTF_8));
            values.setValueCount(2);
            org.apache.arrow.vector.dictionary.Dictionary dictionary = new org.apache.arrow.vector.dictionary.Dictionary(
                    values, new org.apache.arrow.vector.types.pojo.DictionaryEncoding(7L, false, null));
            var provider = new org.apache.arrow.vector.dictionary.DictionaryProvider.MapDictionaryProvider();
            provider.put(dictionary);
            raw.allocateNew(3);
            raw.set(0, "green".getBytes(StandardCharsets.UTF_8));
            raw.setNull(1);
            raw.set(2, "red".getBytes(StandardCharsets.UTF_8));
            raw.setValueCount(3);
            try (org.apache.arrow.vector.FieldVector indexes = (org.apache.arrow.vector.FieldVector)
                    org.apache.arrow.vector.dictionary.DictionaryEncoder.encode(raw, dictionary);
                 VectorSchemaRoot root = new VectorSchemaRoot(List.of(indexes.getField()), List.of(indexes), 3);
                 OutputStream out = Files.newOutputStream(path);
                 ArrowStreamWriter writer = new ArrowStreamWriter(root, provider, out)) {
                writer.start();
                writer.writeBatch();
                writer.end();
            }
        }
        new ArrowTableReader().read(path, new ReadOptions(true, Optional.empty()), sink);
        assertThat(columns).containsExactly("color:string");
        assertThat(rows).containsExactly("1:[green]", "2:[null]", "3:[red]");
    }

    @Test
    void aFileThatIsNotArrowIsMalformed() throws IOException {
        Path junk = dir.resolve("junk");
        Files.writeString(junk, "a,b\n1,2\n");
        MalformedFile e = catchThrowableOfType(MalformedFile.class,
                () -> new ArrowTableReader().read(junk, new ReadOptions(true, Optional.empty()), sink));
        assertThat(e.row()).isEqualTo(1);
    }

    @Test
    void aTimeOfDayPast24HoursIsMalformedNamingItsRowAndColumn() throws IOException {
        Path path = dir.resolve("t.arrows");
        try (BufferAllocator allocator = new RootAllocator();
             org.apache.arrow.vector.TimeSecVector t = new org.apache.arrow.vector.TimeSecVector("t", allocator)) {
            t.allocateNew(2);
            t.set(0, 3_600);
            t.set(1, 86_400);
            t.setValueCount(2);
            try (VectorSchemaRoot root = VectorSchemaRoot.of(t); OutputStream out = Files.newOutputStream(path);
                 ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
                writer.start();
                writer.writeBatch();
                writer.end();
            }
        }
        MalformedFile e = catchThrowableOfType(MalformedFile.class,
                () -> new ArrowTableReader().read(path, new ReadOptions(true, Optional.empty()), sink));
        assertThat(e.row()).isEqualTo(2);
        assertThat(e.column()).isEqualTo(1);
        assertThat(e.getMessage()).contains("outside its type's range");
    }
}
