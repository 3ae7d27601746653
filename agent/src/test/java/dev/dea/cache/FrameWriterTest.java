package dev.dea.cache;

import dev.dea.config.CacheConfig;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameColumn;
import dev.dea.frame.FrameValues.RawJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameWriterTest {
    private static final List<FrameColumn> COLUMNS = List.of(
            new FrameColumn("n", ColumnKind.INT64, "int8"), new FrameColumn("s", ColumnKind.STRING, "text"));

    @TempDir
    Path dir;

    @Test
    void tooLargeFrameFailsWithTheLimitAndLeavesNothingBehind() {
        try (FrameCache cache = new FrameCache(new CacheConfig(dir, Duration.ofHours(1), 1L << 20, 1000, 100_000))) {
            FrameWriter w = cache.create(COLUMNS, Provenance.sql("SELECT", Optional.empty()));
            assertThatThrownBy(() -> {
                for (int i = 0; i < 1000; i++) {
                    w.append(new Object[] {(long) i, "x".repeat(50)});
                }
            }).isInstanceOfSatisfying(AgentException.class, e -> {
                assertThat(e.type()).isEqualTo(ErrorType.RESULT_TOO_LARGE);
                assertThat(e.details()).containsEntry("max_frame_bytes", 1000L);
            }).hasMessageContaining("1000 bytes");

            assertThat(dir.resolve("tmp")).isEmptyDirectory();
            assertThat(dir.resolve("frames")).isEmptyDirectory();
            assertThatThrownBy(() -> w.append(new Object[] {1L, "x"})).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(w::commit).isInstanceOf(IllegalStateException.class);
            w.close();
            w.close();
            assertThat(cache.find(w.key())).isEmpty();
            assertThat(cache.stats().frames()).isZero();
        }
    }

    @Test
    void timeValuesAreStoredWithTheirSecondsAsPostgresPrintsThem() throws Exception {
        try (FrameCache cache = new FrameCache(new CacheConfig(dir, Duration.ofHours(1), 1L << 20, 1L << 20, 100_000))) {
            FrameMeta meta;
            try (FrameWriter w = cache.create(List.of(new FrameColumn("t", ColumnKind.TIME, "time")),
                    Provenance.sql("SELECT", Optional.empty()))) {
                w.append(new Object[] {java.time.LocalTime.of(13, 45)});
                w.append(new Object[] {java.time.LocalTime.of(0, 0, 0, 500_000_000)});
                w.append(new Object[] {java.time.LocalTime.of(23, 59, 59, 123_456_789)});
                meta = w.commit();
            }
            assertThat(cache.previewRows(meta.key(), 10).toString())
                    .isEqualTo("[[\"13:45:00\"], [\"00:00:00.5\"], [\"23:59:59.123456\"]]");
        }
    }

    @Test
    void frameOfExactlyTheLimitIsAccepted() {
        // int64: a validity byte and 8 value bytes; "x": a validity byte, an 8-byte offset, 'x' and its terminator.
        long rowBytes = (1 + 8) + (1 + 8 + 2);
        long limit = 8 + 3 * rowBytes;
        try (FrameCache cache = new FrameCache(new CacheConfig(dir, Duration.ofHours(1), 1L << 20, limit, 100_000))) {
            try (FrameWriter w = cache.create(COLUMNS, Provenance.sql("SELECT", Optional.empty()))) {
                for (int i = 0; i < 3; i++) {
                    w.append(new Object[] {1L, "x"});
                }
                assertThat(w.commit().bytes()).isEqualTo(limit);
            }
        }
    }

    @Test
    void closingWithoutCommitDiscardsTheFrame() {
        try (FrameCache cache = new FrameCache(new CacheConfig(dir, Duration.ofHours(1), 1L << 20, 1L << 20, 100_000))) {
            String key;
            try (FrameWriter w = cache.create(COLUMNS, Provenance.sql("SELECT", Optional.empty()))) {
                key = w.key();
                w.append(new Object[] {1L, "a"});
                assertThat(dir.resolve("tmp").resolve(key)).isDirectory();
            }

            assertThat(dir.resolve("tmp")).isEmptyDirectory();
            assertThat(cache.find(key)).isEmpty();
        }
    }

    @Test
    void closeAfterCommitKeepsTheFrameAndIsIdempotent() {
        try (FrameCache cache = new FrameCache(new CacheConfig(dir, Duration.ofHours(1), 1L << 20, 1L << 20, 100_000))) {
            FrameWriter w = cache.create(COLUMNS, Provenance.sql("SELECT", Optional.empty()));
            w.append(new Object[] {1L, "a"});
            FrameMeta meta = w.commit();
            w.close();
            w.close();

            assertThat(cache.find(meta.key())).contains(meta);
            assertThatThrownBy(w::commit).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void rowOfTheWrongWidthIsRejected() {
        try (FrameCache cache = new FrameCache(new CacheConfig(dir, Duration.ofHours(1), 1L << 20, 1L << 20, 100_000));
             FrameWriter w = cache.create(COLUMNS, Provenance.sql("SELECT", Optional.empty()))) {
            assertThatThrownBy(() -> w.append(new Object[] {1L})).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void lineBreaksInJsonTextBecomeSpacesAtAnyDepth() {
        Object[] nested = {new RawJson("{\"a\":\r\n1}"), "kept\nas is"};

        Object onDisk = FrameWriter.onDisk(nested);

        assertThat((Object[]) onDisk).containsExactly(new RawJson("{\"a\":  1}"), "kept\nas is");
        assertThat(nested[0]).isEqualTo(new RawJson("{\"a\":\r\n1}"));
        Object[] plain = {new RawJson("{}"), 1L};
        assertThat(FrameWriter.onDisk(plain)).isSameAs(plain);
    }

    /** Guards the brief's speed goal with a generous bound; typical is about two seconds. */
    @Test
    void writesAMillionRowsOfEightColumnsQuickly() {
        List<FrameColumn> columns = List.of(
                new FrameColumn("id", ColumnKind.INT64, "int8"), new FrameColumn("x", ColumnKind.FLOAT64, "float8"),
                new FrameColumn("name", ColumnKind.STRING, "text"), new FrameColumn("ok", ColumnKind.BOOL, "bool"),
                new FrameColumn("amount", ColumnKind.DECIMAL, "numeric(12,2)"),
                new FrameColumn("day", ColumnKind.DATE, "date"), new FrameColumn("at", ColumnKind.TIMESTAMP, "timestamp"),
                new FrameColumn("atz", ColumnKind.TIMESTAMPTZ, "timestamptz"));
        String[] names = {"alpha", "beta", "gamma", "delta"};
        LocalDate day = LocalDate.of(2024, 1, 1);
        LocalDateTime at = LocalDateTime.of(2024, 1, 1, 12, 0);
        OffsetDateTime atz = OffsetDateTime.of(2024, 1, 1, 12, 0, 0, 0, ZoneOffset.UTC);
        try (FrameCache cache = new FrameCache(new CacheConfig(dir, Duration.ofHours(1), 1L << 32, 1L << 31, 100_000))) {
            long start = System.nanoTime();
            FrameMeta meta;
            try (FrameWriter w = cache.create(columns, Provenance.sql("SELECT", Optional.empty()))) {
                for (int i = 0; i < 1_000_000; i++) {
                    w.append(new Object[] {(long) i, i * 0.5, names[i & 3], (i & 1) == 0,
                            BigDecimal.valueOf(i, 2), day.plusDays(i % 365), at.plusSeconds(i), atz.plusSeconds(i)});
                }
                meta = w.commit();
            }
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(meta.rowCount()).isEqualTo(1_000_000);
            assertThat(millis).as("milliseconds to write 1M x 8").isLessThan(20_000);
        }
    }
}
