package dev.dea.cache;

import dev.dea.config.CacheConfig;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameColumn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A frame that arrives as whole columns (a sandbox result) is checked value by value and stored like any other. */
class FrameWriterReceiveTest {
    @TempDir
    Path dir;
    FrameCache cache;

    @BeforeEach
    void open() {
        cache = new FrameCache(new CacheConfig(dir, Duration.ofHours(1), 1L << 30, 1L << 20, 100_000));
    }

    @AfterEach
    void close() {
        cache.close();
    }

    /** The wire form of a stored frame: its buffers without the ones the agent derives. */
    private record Wire(byte[] bytes, List<List<ColumnMeta.Buffer>> buffers) {
    }

    private Wire wireOf(FrameMeta meta) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<List<ColumnMeta.Buffer>> buffers = new ArrayList<>();
        Path frame = cache.frameDirectory(meta.key());
        for (int i = 0; i < meta.columns().size(); i++) {
            List<ColumnMeta.Buffer> column = new ArrayList<>();
            for (ColumnMeta.Buffer b : meta.columns().get(i).buffers()) {
                if (!ColumnLayout.wireBuffers(meta.columns().get(i).kind()).contains(b.name())) {
                    continue;
                }
                out.write(Files.readAllBytes(frame.resolve(i + "." + b.name())));
                column.add(b);
            }
            buffers.add(column);
        }
        return new Wire(out.toByteArray(), buffers);
    }

    private String rows(String key) throws IOException {
        try (var in = cache.openRows(key)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private FrameMeta receive(Wire wire, long rows) throws IOException {
        try (FrameWriter w = cache.create(FrameRoundTripTest.ALL_KINDS, Provenance.python("code", List.of(), Optional.empty()))) {
            w.receive(new ByteArrayInputStream(wire.bytes()), rows, ColumnSource.wire(wire.buffers()));
            return w.commit();
        }
    }

    @Test
    void receivedColumnsMakeTheSameFrameAsAppendedRows() throws IOException {
        FrameMeta written = FrameRoundTripTest.writeAllKinds(cache);

        FrameMeta received = receive(wireOf(written), written.rowCount());

        assertThat(rows(received.key())).isEqualTo(rows(written.key()));
        assertThat(received.bytes()).isEqualTo(written.bytes());
        for (int i = 0; i < written.columns().size(); i++) {
            assertThat(received.columns().get(i).stats()).as("stats of column %d", i)
                    .isEqualTo(written.columns().get(i).stats());
            assertThat(received.columns().get(i).buffers()).isEqualTo(written.columns().get(i).buffers());
        }
        // The decimal's float64 buffer is derived by the agent, equal to the one the row writer made.
        Path a = cache.frameDirectory(written.key()).resolve("4.float");
        Path b = cache.frameDirectory(received.key()).resolve("4.float");
        assertThat(Files.readAllBytes(b)).isEqualTo(Files.readAllBytes(a));
    }

    @Test
    void copiedColumnsKeepTheirFilesStatsAndDtypeWhileTheOthersComeFromTheWire() throws IOException {
        FrameMeta written = FrameRoundTripTest.writeAllKinds(cache);
        Wire wire = wireOf(written);
        String writtenRows = rows(written.key());
        int columns = written.columns().size();
        // Every even column is copied from the stored frame; the odd ones arrive on the wire.
        ByteArrayOutputStream odd = new ByteArrayOutputStream();
        int at = 0;
        for (int i = 0; i < columns; i++) {
            int size = wire.buffers().get(i).stream().mapToInt(b -> (int) b.bytes()).sum();
            if (i % 2 == 1) {
                odd.write(wire.bytes(), at, size);
            }
            at += size;
        }
        FrameMeta received;
        try (FrameData data = cache.openData(written.key());
             FrameWriter w = cache.create(FrameRoundTripTest.ALL_KINDS, Provenance.python("code", List.of(), Optional.empty()))) {
            data.transferTo(new ByteArrayOutputStream());   // as the sandbox got it: the copy reads from the start again
            List<ColumnSource> sources = new ArrayList<>();
            for (int i = 0; i < columns; i++) {
                sources.add(i % 2 == 0 ? new ColumnSource.Copy(data, i) : new ColumnSource.Wire(wire.buffers().get(i)));
            }
            cache.delete(written.key());   // deleted meanwhile: the open files still hold the columns
            w.receive(new ByteArrayInputStream(odd.toByteArray()), written.rowCount(), sources);
            received = w.commit();
        }

        assertThat(received.bytes()).isEqualTo(written.bytes());
        for (int i = 0; i < columns; i++) {
            assertThat(received.columns().get(i).stats()).as("stats of column %d", i).isEqualTo(written.columns().get(i).stats());
            assertThat(received.columns().get(i).dtype()).isEqualTo(written.columns().get(i).dtype());
            assertThat(received.columns().get(i).buffers()).isEqualTo(written.columns().get(i).buffers());
        }
        assertThat(rows(received.key())).isEqualTo(writtenRows);
    }

    @Test
    void aDecimalsFloatsBecomeAFloat64ColumnWithoutNullsAsIfTheyHadBeenSent() throws IOException {
        FrameMeta written = FrameRoundTripTest.writeAllKinds(cache);
        int decimal = 4;
        long rows = written.rowCount();
        byte[] floats = Files.readAllBytes(cache.frameDirectory(written.key()).resolve(decimal + ".float"));
        byte[] valid = new byte[(int) rows];
        java.util.Arrays.fill(valid, (byte) 1);
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        sent.write(valid);
        sent.write(floats);
        List<FrameColumn> one = List.of(new FrameColumn("x", ColumnKind.FLOAT64, "float64"));
        FrameMeta wired;
        try (FrameWriter w = cache.create(one, Provenance.python("code", List.of(), Optional.empty()))) {
            w.receive(new ByteArrayInputStream(sent.toByteArray()), rows, ColumnSource.wire(List.of(List.of(
                    new ColumnMeta.Buffer("valid", rows), new ColumnMeta.Buffer("values", rows * 8)))));
            wired = w.commit();
        }
        FrameMeta copied;
        try (FrameData data = cache.openData(written.key());
             FrameWriter w = cache.create(one, Provenance.python("code", List.of(), Optional.empty()))) {
            w.receive(new ByteArrayInputStream(new byte[0]), rows, List.of(new ColumnSource.Copy(data, decimal, true)));
            copied = w.commit();
        }

        assertThat(copied.columns().get(0)).isEqualTo(wired.columns().get(0));
        assertThat(rows(copied.key())).isEqualTo(rows(wired.key()));
        // Only a decimal's floats, and only as a float64 column.
        try (FrameData data = cache.openData(written.key())) {
            for (ColumnSource.Copy bad : List.of(new ColumnSource.Copy(data, 1, true), new ColumnSource.Copy(data, 0, true))) {
                try (FrameWriter w = cache.create(one, Provenance.python("code", List.of(), Optional.empty()))) {
                    assertThatThrownBy(() -> w.receive(new ByteArrayInputStream(new byte[0]), rows, List.of(bad)))
                            .isInstanceOf(IOException.class);
                }
            }
            List<FrameColumn> text = List.of(new FrameColumn("x", ColumnKind.STRING, "object"));
            try (FrameWriter w = cache.create(text, Provenance.python("code", List.of(), Optional.empty()))) {
                assertThatThrownBy(() -> w.receive(new ByteArrayInputStream(new byte[0]), rows,
                        List.of(new ColumnSource.Copy(data, decimal, true)))).isInstanceOf(IOException.class);
            }
        }
        assertThat(dir.resolve("tmp")).isEmptyDirectory();
    }

    private static RowPositions positions(long... rows) {
        return new RowPositions(rows, java.util.Arrays.stream(rows).max().orElse(-1));
    }

    @Test
    void gatheredColumnsHoldTheRowsAtTheirPositionsWithTheStatsAndFilesOfWrittenRows() throws IOException {
        FrameMeta written = FrameRoundTripTest.writeAllKinds(cache);
        int columns = written.columns().size();
        // Reordered, repeated, and rows left out: what sorting, filtering and iloc leave.
        long[] at = {written.rowCount() - 1, 0, 2, 2, 1};
        FrameMeta expected;
        try (FrameWriter w = cache.create(FrameRoundTripTest.ALL_KINDS, Provenance.python("code", List.of(), Optional.empty()))) {
            for (long p : at) {
                w.append(FrameRoundTripTest.ALL_KINDS_ROWS[(int) p]);
            }
            expected = w.commit();
        }
        FrameMeta gathered;
        try (FrameData data = cache.openData(written.key());
             FrameWriter w = cache.create(FrameRoundTripTest.ALL_KINDS, Provenance.python("code", List.of(), Optional.empty()))) {
            List<ColumnSource> sources = new ArrayList<>();
            for (int i = 0; i < columns; i++) {
                sources.add(new ColumnSource.Gather(data, i, false, positions(at)));
            }
            cache.delete(written.key());   // deleted meanwhile: the open files still hold the columns
            w.receive(new ByteArrayInputStream(new byte[0]), at.length, sources);
            gathered = w.commit();
        }

        assertThat(rows(gathered.key())).isEqualTo(rows(expected.key()));
        assertThat(gathered.bytes()).isEqualTo(expected.bytes());
        for (int i = 0; i < columns; i++) {
            assertThat(gathered.columns().get(i).stats()).as("stats of column %d", i).isEqualTo(expected.columns().get(i).stats());
            assertThat(gathered.columns().get(i).buffers()).as("buffers of column %d", i)
                    .isEqualTo(expected.columns().get(i).buffers());
            for (ColumnMeta.Buffer b : expected.columns().get(i).buffers()) {
                assertThat(Files.readAllBytes(cache.frameDirectory(gathered.key()).resolve(i + "." + b.name())))
                        .as("%d.%s", i, b.name())
                        .isEqualTo(Files.readAllBytes(cache.frameDirectory(expected.key()).resolve(i + "." + b.name())));
            }
        }
    }

    @Test
    void aDecimalsFloatsGatheredBecomeAFloat64ColumnOfThoseRows() throws IOException {
        FrameMeta written = FrameRoundTripTest.writeAllKinds(cache);
        int decimal = 4;
        List<FrameColumn> one = List.of(new FrameColumn("x", ColumnKind.FLOAT64, "float64"));
        FrameMeta all;
        FrameMeta two;
        try (FrameData data = cache.openData(written.key())) {
            try (FrameWriter w = cache.create(one, Provenance.python("code", List.of(), Optional.empty()))) {
                w.receive(new ByteArrayInputStream(new byte[0]), written.rowCount(), List.of(new ColumnSource.Copy(data, decimal, true)));
                all = w.commit();
            }
            try (FrameWriter w = cache.create(one, Provenance.python("code", List.of(), Optional.empty()))) {
                w.receive(new ByteArrayInputStream(new byte[0]), 2, List.of(new ColumnSource.Gather(data, decimal, true, positions(2, 0))));
                two = w.commit();
            }
        }
        String[] lines = rows(all.key()).split("\n");
        assertThat(rows(two.key())).isEqualTo(lines[2] + "\n" + lines[0] + "\n");
        assertThat(two.columns().get(0).kind()).isEqualTo(ColumnKind.FLOAT64);
    }

    @Test
    void aGatherPastTheFramesRowsOrOfAnotherKindOrRowCountIsRefusedAndNothingIsKept() throws IOException {
        FrameMeta written = FrameRoundTripTest.writeAllKinds(cache);
        List<FrameColumn> oneInt = List.of(new FrameColumn("n", ColumnKind.INT64, "int64"));
        try (FrameData data = cache.openData(written.key())) {
            for (ColumnSource.Gather bad : List.of(new ColumnSource.Gather(data, 0, false, positions(0, written.rowCount())),
                    new ColumnSource.Gather(data, 3, false, positions(0, 1)), new ColumnSource.Gather(data, 9_999, false, positions(0, 1)),
                    new ColumnSource.Gather(data, 0, false, positions(0)))) {
                try (FrameWriter w = cache.create(oneInt, Provenance.python("code", List.of(), Optional.empty()))) {
                    assertThatThrownBy(() -> w.receive(new ByteArrayInputStream(new byte[0]), 2, List.of(bad)))
                            .as(bad.toString()).isInstanceOf(IOException.class);
                }
            }
        }
        assertThat(dir.resolve("tmp")).isEmptyDirectory();
        assertThat(cache.stats().frames()).isEqualTo(1);
    }

    @Test
    void rowPositionsAreReadLittleEndianAndRefusedWhenNegativeShortOrTooMany() throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(7).putLong(0).putLong(1L << 40);
        RowPositions read = RowPositions.read(new ByteArrayInputStream(b.array()), 3);
        assertThat(read.positions()).containsExactly(7, 0, 1L << 40);
        assertThat(read.max()).isEqualTo(1L << 40);
        b.putLong(8, -1);
        assertThatThrownBy(() -> RowPositions.read(new ByteArrayInputStream(b.array()), 3)).hasMessageContaining("negative");
        assertThatThrownBy(() -> RowPositions.read(new ByteArrayInputStream(b.array()), 4)).isInstanceOf(java.io.EOFException.class);
        assertThatThrownBy(() -> RowPositions.read(new ByteArrayInputStream(new byte[0]), RowPositions.MAX_ROWS + 1L))
                .hasMessageContaining("at most");
    }

    @Test
    void aCopyOfAnotherKindOrRowCountOrAMissingColumnIsRefusedAndNothingIsKept() throws IOException {
        FrameMeta written = FrameRoundTripTest.writeAllKinds(cache);
        List<FrameColumn> oneInt = List.of(new FrameColumn("n", ColumnKind.INT64, "int64"));
        try (FrameData data = cache.openData(written.key())) {
            int stringColumn = 3;
            for (ColumnSource.Copy bad : List.of(new ColumnSource.Copy(data, stringColumn), new ColumnSource.Copy(data, -1),
                    new ColumnSource.Copy(data, written.columns().size()))) {
                try (FrameWriter w = cache.create(oneInt, Provenance.python("code", List.of(), Optional.empty()))) {
                    assertThatThrownBy(() -> w.receive(new ByteArrayInputStream(new byte[0]), written.rowCount(),
                            List.of(bad))).isInstanceOf(IOException.class);
                }
            }
            try (FrameWriter w = cache.create(oneInt, Provenance.python("code", List.of(), Optional.empty()))) {
                assertThatThrownBy(() -> w.receive(new ByteArrayInputStream(new byte[0]), written.rowCount() + 1,
                        List.of(new ColumnSource.Copy(data, 0)))).isInstanceOf(IOException.class);
            }
        }
        assertThat(dir.resolve("tmp")).isEmptyDirectory();
        assertThat(cache.stats().frames()).isEqualTo(1);
    }

    @Test
    void aDamagedColumnIsRefusedAndNothingIsKept() throws IOException {
        FrameMeta written = FrameRoundTripTest.writeAllKinds(cache);
        Wire good = wireOf(written);
        long rows = written.rowCount();
        int stringData = offsetOf(good, 3, ColumnLayout.DATA);
        int jsonData = offsetOf(good, 9, ColumnLayout.DATA);

        List<byte[]> damaged = List.of(
                patch(good.bytes(), 0, (byte) 2),                      // a validity byte of 2
                patch(good.bytes(), stringData, (byte) 0xC3),          // "plain" -> invalid UTF-8 sequence
                patch(good.bytes(), stringData + 5, (byte) 'x'),       // a terminator overwritten
                patch(good.bytes(), jsonData, (byte) '}'));            // json text no longer valid
        for (byte[] bytes : damaged) {
            assertThatThrownBy(() -> receive(new Wire(bytes, good.buffers()), rows)).isInstanceOf(IOException.class);
        }
        // Wrong buffer names or sizes for the kind.
        List<List<ColumnMeta.Buffer>> renamed = new ArrayList<>(good.buffers());
        renamed.set(0, List.of(new ColumnMeta.Buffer("valid", rows), new ColumnMeta.Buffer("data", rows * 8)));
        assertThatThrownBy(() -> receive(new Wire(good.bytes(), renamed), rows)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> receive(good, rows + 1)).isInstanceOf(IOException.class);
        // The stream ends early.
        byte[] cut = java.util.Arrays.copyOf(good.bytes(), good.bytes().length - 3);
        assertThatThrownBy(() -> receive(new Wire(cut, good.buffers()), rows)).isInstanceOf(IOException.class);

        assertThat(dir.resolve("tmp")).isEmptyDirectory();
        assertThat(cache.stats().frames()).isEqualTo(1);
    }

    @Test
    void announcedSizesOverTheFrameLimitAreRefusedBeforeReading() {
        List<FrameColumn> one = List.of(new FrameColumn("n", ColumnKind.INT64, "int64"));
        long rows = 1L << 20;
        try (FrameWriter w = cache.create(one, Provenance.python("code", List.of(), Optional.empty()))) {
            assertThatThrownBy(() -> w.receive(new ByteArrayInputStream(new byte[0]), rows,
                    ColumnSource.wire(List.of(List.of(new ColumnMeta.Buffer("valid", rows), new ColumnMeta.Buffer("values", rows * 8))))))
                    .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.RESULT_TOO_LARGE));
        }
        assertThat(dir.resolve("tmp")).isEmptyDirectory();
    }

    @Test
    void aValueAnnouncedLargerThanTheValueLimitIsRefusedBeforeItIsRead() throws IOException {
        Path column = Files.createDirectories(dir.resolve("column"));
        Files.write(column.resolve("0.valid"), new byte[] {1});
        long huge = ColumnReader.MAX_STRICT_VALUE_BYTES + 2L;
        Files.write(column.resolve("0.offsets"), java.nio.ByteBuffer.allocate(16)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0).putLong(huge).array());
        Files.write(column.resolve("0.data"), new byte[] {'x', 0});

        try (ColumnReader reader = new ColumnReader(column, 0, ColumnKind.STRING, true)) {
            assertThatThrownBy(reader::next).isInstanceOf(IOException.class).hasMessageContaining("exceeds");
        }
    }

    private static int offsetOf(Wire wire, int column, String buffer) {
        long at = 0;
        for (int i = 0; i < wire.buffers().size(); i++) {
            for (ColumnMeta.Buffer b : wire.buffers().get(i)) {
                if (i == column && b.name().equals(buffer)) {
                    return (int) at;
                }
                at += b.bytes();
            }
        }
        throw new IllegalArgumentException(buffer);
    }

    private static byte[] patch(byte[] bytes, int at, byte value) {
        byte[] copy = bytes.clone();
        copy[at] = value;
        return copy;
    }
}
