package dev.dea.cache;

import dev.dea.config.CacheConfig;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class FrameCacheConcurrencyTest {
    @TempDir
    Path dir;

    @Test
    void eightThreadsWritingReadingAndEvictingLeaveConsistentStats() throws Exception {
        // Small enough that size and frame-count eviction run constantly while others read.
        CacheConfig config = new CacheConfig(dir, Duration.ofHours(1), 200_000, 100_000, 30);
        List<String> keys = new CopyOnWriteArrayList<>();
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        try (FrameCache cache = new FrameCache(config)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    start.await();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < 60; i++) {
                        FrameMeta meta = FrameCacheLookupTest.write(cache, random.nextInt(0, 400));
                        keys.add(meta.key());
                        String other = keys.get(random.nextInt(keys.size()));
                        readTolerantly(cache, other, random.nextInt(4));
                        if (id == 0 && i % 5 == 0) {
                            cache.evict();
                        }
                        if (id == 1 && i % 7 == 0) {
                            cache.delete(other);
                        }
                        if (id == 2) {
                            // An abandoned writer must not disturb anyone.
                            try (FrameWriter w = cache.create(List.of(), Provenance.sql("SELECT", java.util.Optional.empty()))) {
                                w.append(new Object[0]);
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : results) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

            CacheStats stats = cache.stats();
            assertThat(stats.frames()).isEqualTo(countFrameDirs());
            assertThat(stats.bytes()).isEqualTo(bytesOnDisk()).isLessThanOrEqualTo(config.maxBytes());
            assertThat(stats.frames()).isLessThanOrEqualTo(config.maxFrames());
            assertThat(stats.evictions()).isPositive();
            assertThat(dir.resolve("tmp")).isEmptyDirectory();
            long visible = keys.stream().filter(k -> cache.find(k).isPresent()).count();
            assertThat(visible).isEqualTo(stats.frames());
        }
        try (FrameCache reopened = new FrameCache(config)) {
            assertThat(reopened.stats().frames()).isEqualTo(countFrameDirs());
            assertThat(reopened.stats().bytes()).isEqualTo(bytesOnDisk());
        }
    }

    private static void readTolerantly(FrameCache cache, String key, int how) {
        try {
            switch (how) {
                case 0 -> cache.previewRows(key, 50);
                case 1 -> cache.writeJson(key, OutputStream.nullOutputStream());
                case 2 -> cache.writeCsv(key, OutputStream.nullOutputStream());
                default -> {
                    Path frame = cache.frameDirectory(key);
                    assertThat(frame.getFileName().toString()).isEqualTo(key);
                }
            }
        } catch (AgentException e) {
            // Evicted or deleted by another thread: the only acceptable failure.
            assertThat(e.type()).isEqualTo(ErrorType.NOT_FOUND);
        }
    }

    private int countFrameDirs() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("frames"))) {
            return (int) s.count();
        }
    }

    private long bytesOnDisk() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("frames"))) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sum();
        }
    }
}
