package dev.dea.cache;

import dev.dea.config.CacheConfig;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameColumn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class FrameCacheLookupTest {
    @TempDir
    Path dir;
    FrameCache cache;

    @BeforeEach
    void open() {
        cache = new FrameCache(new CacheConfig(dir, Duration.ofHours(1), 1L << 30, 1L << 28, 100_000));
    }

    @AfterEach
    void close() {
        cache.close();
    }

    static Stream<String> malformedKeys() {
        return Stream.of("../etc", "..%2f..%2fetc", "", "ABC", UUID.randomUUID().toString().toUpperCase(),
                "x".repeat(1000), "0b7e2c1a-4f3d-4c2b-9a8e-1d2c3b4a5f6", "0b7e2c1a-4f3d-4c2b-9a8e-1d2c3b4a5f60/..",
                "0b7e2c1a-4f3d-4c2b-9a8e-1d2c3b4a5f6/", "/tmp/0b7e2c1a-4f3d-4c2b-9a8e-1d2c3b4a5f60",
                " 0b7e2c1a-4f3d-4c2b-9a8e-1d2c3b4a5f6", "0b7e2c1a-4f3d-4c2b-9a8e-1d2c3b4a5f6g", null);
    }

    @ParameterizedTest
    @MethodSource("malformedKeys")
    void rejectsMalformedKeysBeforeTouchingTheFilesystem(String key) {
        List<Executable> calls = List.of(
                () -> cache.find(key), () -> cache.get(key), () -> cache.delete(key),
                () -> cache.previewRows(key, 10), () -> cache.writeJson(key, OutputStream.nullOutputStream()),
                () -> cache.writeCsv(key, OutputStream.nullOutputStream()), () -> cache.frameDirectory(key));
        for (Executable call : calls) {
            Throwable thrown = catchThrowable(call::execute);
            assertThat(thrown).isInstanceOf(AgentException.class);
            assertThat(((AgentException) thrown).type()).isEqualTo(ErrorType.VALIDATION_ERROR);
            assertThat(thrown.getMessage()).doesNotContain("etc");
        }
    }

    @Test
    void unknownKeyIsEmptyForFindAndNotFoundNamingTheKeyElsewhere() {
        String key = UUID.randomUUID().toString();

        assertThat(cache.find(key)).isEmpty();
        List<Executable> calls = List.of(() -> cache.get(key), () -> cache.previewRows(key, 1),
                () -> cache.writeJson(key, OutputStream.nullOutputStream()),
                () -> cache.writeCsv(key, OutputStream.nullOutputStream()), () -> cache.frameDirectory(key));
        for (Executable call : calls) {
            Throwable thrown = catchThrowable(call::execute);
            assertThat(thrown).isInstanceOf(AgentException.class).hasMessageContaining(key);
            assertThat(((AgentException) thrown).type()).isEqualTo(ErrorType.NOT_FOUND);
        }
        assertThat(cache.delete(key)).isFalse();
    }

    @Test
    void deleteRemovesTheFrameAndItsFiles() {
        FrameMeta meta = write(cache, 3);
        Path frameDir = cache.frameDirectory(meta.key());

        assertThat(cache.delete(meta.key())).isTrue();

        assertThat(cache.find(meta.key())).isEmpty();
        assertThat(frameDir).doesNotExist();
        assertThat(cache.delete(meta.key())).isFalse();
        assertThat(cache.stats()).isEqualTo(new CacheStats(0, 0, 0, 1L << 30, 100_000));
        assertThat(dir.resolve("tmp")).isEmptyDirectory();
    }

    @Test
    void deleteRemovesAFrameDirectoryHoldingUnexpectedFilesToo() throws IOException {
        FrameMeta meta = write(cache, 3);
        Path frameDir = cache.frameDirectory(meta.key());
        Files.createDirectory(frameDir.resolve("stray"));
        Files.writeString(frameDir.resolve("stray").resolve("note.txt"), "left by an operator");

        assertThat(cache.delete(meta.key())).isTrue();

        assertThat(frameDir).doesNotExist();
    }

    @Test
    void findReturnsTheCommittedFrameOnlyAfterCommit() {
        try (FrameWriter w = cache.create(List.of(new FrameColumn("n", ColumnKind.INT64, "int8")),
                Provenance.sql("SELECT n", Optional.empty()))) {
            w.append(new Object[] {1L});
            assertThat(cache.find(w.key())).isEmpty();
            assertThat(w.key()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
            FrameMeta meta = w.commit();
            assertThat(cache.find(w.key())).contains(meta);
            assertThat(cache.stats().frames()).isEqualTo(1);
        }
    }

    @Test
    void streamingReaderFinishesWhenTheFrameIsDeletedMidStream() {
        FrameMeta meta = write(cache, 50_000);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream deletingSink = new OutputStream() {
            boolean deleted;

            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (!deleted) {
                    deleted = cache.delete(meta.key());
                }
                sink.write(b, off, len);
            }
        };

        cache.writeCsv(meta.key(), deletingSink);

        assertThat(cache.find(meta.key())).isEmpty();
        assertThat(sink.toString(StandardCharsets.UTF_8).split("\r\n")).hasSize(50_001);
    }

    @Test
    void readerGetsNotFoundWhenTheRowsVanishBeforeOpening() throws IOException {
        FrameMeta meta = write(cache, 3);
        Files.delete(cache.frameDirectory(meta.key()).resolve("0.valid"));

        assertThatThrownBy(() -> cache.writeJson(meta.key(), OutputStream.nullOutputStream()))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.NOT_FOUND))
                .hasMessageContaining(meta.key());
    }

    @Test
    void negativePreviewSizeIsAValidationError() {
        FrameMeta meta = write(cache, 1);

        assertThatThrownBy(() -> cache.previewRows(meta.key(), -1))
                .isInstanceOfSatisfying(AgentException.class,
                        e -> assertThat(e.type()).isEqualTo(ErrorType.VALIDATION_ERROR));
    }

    @Test
    void secondCacheOnTheSameDirectoryIsRefusedUntilTheFirstCloses() {
        CacheConfig config = new CacheConfig(dir, Duration.ofHours(1), 1L << 30, 1L << 28, 100_000);

        assertThatThrownBy(() -> new FrameCache(config))
                .isInstanceOf(AgentException.class).hasMessageContaining("in use");

        cache.close();
        cache.close();
        cache = new FrameCache(config);
        assertThat(cache.stats().frames()).isZero();
    }

    @Test
    void createAfterCloseIsRefused() {
        cache.close();

        assertThatThrownBy(() -> cache.create(List.of(), Provenance.sql("SELECT", Optional.empty())))
                .isInstanceOf(IllegalStateException.class);
    }

    static FrameMeta write(FrameCache cache, int rows) {
        try (FrameWriter w = cache.create(List.of(new FrameColumn("n", ColumnKind.INT64, "int8"),
                new FrameColumn("s", ColumnKind.STRING, "text")), Provenance.sql("SELECT n, s", Optional.empty()))) {
            for (int i = 0; i < rows; i++) {
                w.append(new Object[] {(long) i, "row " + i});
            }
            return w.commit();
        }
    }
}
