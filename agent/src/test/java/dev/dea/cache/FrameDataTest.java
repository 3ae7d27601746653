package dev.dea.cache;

import dev.dea.config.CacheConfig;
import dev.dea.frame.ColumnKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/** What a sandbox receives of a stored frame: its buffer files, in order, all or the ones asked for. */
class FrameDataTest {
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

    private byte[] files(FrameMeta meta, BiPredicate<ColumnMeta, ColumnMeta.Buffer> which)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Path frame = cache.frameDirectory(meta.key());
        for (int i = 0; i < meta.columns().size(); i++) {
            for (ColumnMeta.Buffer b : meta.columns().get(i).buffers()) {
                if (which.test(meta.columns().get(i), b)) {
                    out.write(Files.readAllBytes(frame.resolve(ColumnLayout.fileName(i, b.name()))));
                }
            }
        }
        return out.toByteArray();
    }

    @Test
    void everyBufferIsSentInMetaOrderOrOnlyTheOnesAskedFor() throws IOException {
        FrameMeta meta = FrameRoundTripTest.writeAllKinds(cache);
        BiPredicate<ColumnMeta, ColumnMeta.Buffer> floatsForDecimals = (c, b) -> !c.stepLoadsFloats()
                || b.name().equals(ColumnLayout.VALID) || b.name().equals(ColumnLayout.FLOAT);
        try (FrameData data = cache.openData(meta.key())) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            data.transferTo(all);
            assertThat(all.toByteArray()).isEqualTo(files(meta, (c, b) -> true));
            ByteArrayOutputStream some = new ByteArrayOutputStream();
            data.transferTo(some, floatsForDecimals);
            byte[] expected = files(meta, floatsForDecimals);
            assertThat(some.toByteArray()).isEqualTo(expected);
            assertThat(expected.length).as("the decimal's text left out").isLessThan(all.size());
        }
    }

    @Test
    void aStepLoadsFloatsOnlyForDecimalsWithStoredFloatsThatAreNotUnsigned64BitIntegers() {
        List<ColumnMeta.Buffer> withFloats = List.of(new ColumnMeta.Buffer(ColumnLayout.VALID, 1),
                new ColumnMeta.Buffer(ColumnLayout.OFFSETS, 16), new ColumnMeta.Buffer(ColumnLayout.DATA, 3),
                new ColumnMeta.Buffer(ColumnLayout.FLOAT, 8));
        assertThat(new ColumnMeta("d", ColumnKind.DECIMAL, "numeric(12,2)", "object", Map.of(), withFloats)
                .stepLoadsFloats()).isTrue();
        assertThat(new ColumnMeta("u", ColumnKind.DECIMAL, "bigint unsigned", "object", Map.of(), withFloats)
                .stepLoadsFloats()).as("exact uint64 in pandas, read from the text").isFalse();
        assertThat(new ColumnMeta("d", ColumnKind.DECIMAL, "numeric", "object", Map.of(), withFloats.subList(0, 3))
                .stepLoadsFloats()).as("no floats stored").isFalse();
        assertThat(new ColumnMeta("s", ColumnKind.STRING, "text", "object", Map.of(), withFloats.subList(0, 3))
                .stepLoadsFloats()).isFalse();
    }
}
