package dev.dea.upload.csv;

import dev.dea.upload.source.Declared;
import dev.dea.upload.source.MalformedFile;
import dev.dea.upload.source.ReadOptions;
import dev.dea.upload.source.RowSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class DelimitedReaderTest {
    @TempDir
    Path dir;

    private final List<String> columns = new ArrayList<>();
    private final List<String> rows = new ArrayList<>();

    private final RowSink sink = new RowSink() {
        @Override
        public void column(String name, Optional<Declared> declared) {
            columns.add(name);
        }

        @Override
        public void row(long row, Object[] cells) {
            rows.add(row + ":" + Arrays.toString(cells));
        }
    };

    private void read(DelimitedReader reader, String text, boolean header) throws IOException {
        Path file = dir.resolve("f");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        reader.read(file, new ReadOptions(header, Optional.empty()), sink);
    }

    @Test
    void quotedFieldsKeepDelimitersLineBreaksAndQuotesAndRowsCountFileLines() throws IOException {
        read(DelimitedReader.csv(), "\uFEFFa,b\r\n\"x,1\",\"two\r\nlines\"\r\n\r\n\"q\"\"\",\n", true);
        assertThat(columns).containsExactly("a", "b");
        assertThat(rows).containsExactly("2:[x,1, two\r\nlines]", "5:[q\", null]");
    }

    @Test
    void tsvWithoutAHeaderNamesColumnsByNumberAndEndsWithoutANewline() throws IOException {
        read(DelimitedReader.tsv(), "1\t2\r3\t4", false);
        assertThat(columns).containsExactly("column_1", "column_2");
        assertThat(rows).containsExactly("1:[1, 2]", "2:[3, 4]");
    }

    @Test
    void brokenRecordsNameTheirRowAndColumn() {
        MalformedFile extra = catchThrowableOfType(MalformedFile.class, () -> read(DelimitedReader.csv(), "a,b\n1,2,3\n", true));
        assertThat(extra.row()).isEqualTo(2);
        assertThat(extra.column()).isEqualTo(3);
        MalformedFile open = catchThrowableOfType(MalformedFile.class, () -> read(DelimitedReader.csv(), "a,b\n1,2\n3,\"x\n\n", true));
        assertThat(open.row()).isEqualTo(3);
        assertThat(open.column()).isEqualTo(2);
        MalformedFile after = catchThrowableOfType(MalformedFile.class, () -> read(DelimitedReader.csv(), "a\n\"x\"y\n", true));
        assertThat(after.row()).isEqualTo(2);
        MalformedFile twice = catchThrowableOfType(MalformedFile.class, () -> read(DelimitedReader.csv(), "a,a\n", true));
        assertThat(twice.columnName()).hasValue("a");
    }

    @Test
    void aRecordWiderThanAFrameIsRefusedBeforeTheRestOfItIsRead() {
        long[] read = {0};
        // An endless record "1,1,1,...": only the first few thousand fields may be read.
        java.io.Reader endless = new java.io.Reader() {
            @Override
            public int read(char[] buf, int off, int len) {
                for (int i = 0; i < len; i++) {
                    buf[off + i] = (read[0] + i) % 2 == 0 ? '1' : ',';
                }
                read[0] += len;
                return len;
            }

            @Override
            public void close() {
            }
        };
        var e = catchThrowableOfType(dev.dea.error.AgentException.class,
                () -> new DelimitedReader.Records(endless, ',').next());
        assertThat(e.type()).isEqualTo(dev.dea.error.ErrorType.RESULT_TOO_LARGE);
        assertThat(read[0]).isLessThan(10_000);
    }
}
