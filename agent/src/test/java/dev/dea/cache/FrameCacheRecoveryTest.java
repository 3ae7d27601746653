package dev.dea.cache;

import dev.dea.config.CacheConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class FrameCacheRecoveryTest {
    @TempDir
    Path dir;

    private CacheConfig config() {
        return new CacheConfig(dir, Duration.ofHours(1), 1L << 30, 1L << 28, 100_000);
    }

    @Test
    void discardsHalfWrittenFramesOnStartupAndKeepsTheGoodOnes() throws IOException {
        String good;
        String truncated;
        String metaMissing;
        String corruptMeta;
        String rowsMissing;
        String otherKey;
        long goodBytes;
        try (FrameCache cache = new FrameCache(config())) {
            good = FrameCacheLookupTest.write(cache, 20).key();
            goodBytes = cache.stats().bytes();
            truncated = FrameCacheLookupTest.write(cache, 20).key();
            metaMissing = FrameCacheLookupTest.write(cache, 20).key();
            corruptMeta = FrameCacheLookupTest.write(cache, 20).key();
            rowsMissing = FrameCacheLookupTest.write(cache, 20).key();
            otherKey = FrameCacheLookupTest.write(cache, 20).key();
        }
        Path frames = dir.resolve("frames");
        // A crash while writing: a temp dir with part of its rows and no meta.
        Path halfWritten = Files.createDirectories(dir.resolve("tmp").resolve(UUID.randomUUID().toString()));
        Files.writeString(halfWritten.resolve("0.valid"), "\1\1");
        // A crash mid-deletion.
        Files.createDirectories(dir.resolve("tmp").resolve("deleted-" + UUID.randomUUID()));
        try (FileChannel ch = FileChannel.open(frames.resolve(truncated).resolve("1.data"), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 2);
        }
        Files.delete(frames.resolve(metaMissing).resolve("meta.json"));
        Files.writeString(frames.resolve(corruptMeta).resolve("meta.json"), "{\"format\":\"dea-frame\",\"format_ver");
        Files.delete(frames.resolve(rowsMissing).resolve("0.values"));
        // A meta.json copied into another frame's directory.
        Files.copy(frames.resolve(good).resolve("meta.json"), frames.resolve(otherKey).resolve("meta.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.createDirectories(frames.resolve("not-a-frame"));
        Files.writeString(frames.resolve("stray.txt"), "x");

        try (FrameCache cache = new FrameCache(config())) {
            assertThat(cache.find(good)).isPresent();
            for (String gone : new String[] {truncated, metaMissing, corruptMeta, rowsMissing, otherKey}) {
                assertThat(cache.find(gone)).as(gone).isEmpty();
            }
            assertThat(cache.stats()).isEqualTo(new CacheStats(1, goodBytes, 0, 1L << 30, 100_000));
            assertThat(cache.previewRows(good, 100)).hasSize(20);
        }
        try (var children = Files.list(frames)) {
            assertThat(children.map(p -> p.getFileName().toString())).containsExactly(good);
        }
        assertThat(dir.resolve("tmp")).isEmptyDirectory();
    }

    @Test
    void frameOfAnUnknownFormatVersionIsDiscarded() throws IOException {
        String key;
        try (FrameCache cache = new FrameCache(config())) {
            key = FrameCacheLookupTest.write(cache, 3).key();
        }
        Path meta = dir.resolve("frames").resolve(key).resolve("meta.json");
        Files.writeString(meta, Files.readString(meta).replace("\"format_version\" : 2", "\"format_version\" : 99"));

        try (FrameCache cache = new FrameCache(config())) {
            assertThat(cache.find(key)).isEmpty();
        }
    }

    @Test
    void framesOfThePreviousJsonRowsFormatAreRemovedAtStartupWithOneLogLine() throws IOException {
        List<Path> olds = new java.util.ArrayList<>();
        List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String key = UUID.randomUUID().toString();
            Path old = Files.createDirectories(dir.resolve("frames").resolve(key));
            Files.writeString(old.resolve("rows.jsonl"), "[1]\n");
            Files.writeString(old.resolve("meta.json"), """
                    {"format":"dea-frame","format_version":1,"key":"%s","columns":[{"name":"n","kind":"int64",
                     "source_type":"int8","dtype":"int64","stats":{}}],"row_count":1,"data_bytes":4,"truncated":false,
                     "created_at":"2024-05-01T12:00:00Z","provenance":{"kind":"sql","source":"SELECT 1","parent_keys":[],
                     "request_id":null}}""".formatted(key));
            olds.add(old);
            keys.add(key);
        }
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.dea.cache");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try (FrameCache cache = new FrameCache(config())) {
            keys.forEach(key -> assertThat(cache.find(key)).isEmpty());
            assertThat(cache.stats().frames()).isZero();
        } finally {
            logger.detachAppender(logs);
        }
        olds.forEach(old -> assertThat(old).doesNotExist());
        List<String> about = logs.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("previous format")).toList();
        assertThat(about).singleElement().asString().startsWith("Removed 3 cached frames of the previous format");
    }

    @Test
    void metaFileIsTheDocumentedFormat() throws IOException {
        String key;
        try (FrameCache cache = new FrameCache(config())) {
            key = FrameRoundTripTest.writeAllKinds(cache).key();
        }

        String meta = Files.readString(dir.resolve("frames").resolve(key).resolve("meta.json"), StandardCharsets.UTF_8);

        var node = dev.dea.frame.FrameJson.newMapper().readTree(meta);
        assertThat(node.get("format").asText()).isEqualTo("dea-frame");
        assertThat(node.get("format_version").asInt()).isEqualTo(2);
        assertThat(node.get("key").asText()).isEqualTo(key);
        assertThat(node.get("row_count").asLong()).isEqualTo(FrameRoundTripTest.ROW_JSON.length);
        long columnFiles;
        try (var files = Files.list(dir.resolve("frames").resolve(key))) {
            columnFiles = files.filter(f -> !f.getFileName().toString().equals("meta.json"))
                    .mapToLong(f -> f.toFile().length()).sum();
        }
        assertThat(node.get("data_bytes").asLong()).isEqualTo(columnFiles);
        assertThat(node.get("truncated").asBoolean()).isFalse();
        assertThat(node.get("created_at").asText()).endsWith("Z");
        var column = node.get("columns").get(4);
        assertThat(column.get("name").asText()).isEqualTo("d");
        assertThat(column.get("kind").asText()).isEqualTo("decimal");
        assertThat(column.get("source_type").asText()).isEqualTo("numeric");
        assertThat(column.get("dtype").asText()).isEqualTo("object");
        assertThat(column.get("stats").get("max").asText()).isEqualTo("12345678901234567890.123456789");
        var provenance = node.get("provenance");
        assertThat(provenance.get("kind").asText()).isEqualTo("sql");
        assertThat(provenance.get("source").asText()).isEqualTo("SELECT everything");
        assertThat(provenance.get("parent_keys")).isEmpty();
        assertThat(provenance.get("request_id").asText()).isEqualTo("req-1");
    }
}
