package dev.dea.audit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.dea.audit.AuditTesting.ALL_KEYS;
import static dev.dea.audit.AuditTesting.event;
import static dev.dea.audit.AuditTesting.files;
import static dev.dea.audit.AuditTesting.keys;
import static dev.dea.audit.AuditTesting.lines;
import static dev.dea.audit.AuditTesting.parse;
import static org.assertj.core.api.Assertions.assertThat;

class AuditLogConcurrencyTest {
    @TempDir
    Path dir;

    @Test
    void sixteenThreadsAppendingWithRotationLeaveEveryLineCompleteAndCountedOnce() throws Exception {
        int threads = 16;
        int perThread = 200;
        long limit = 64 * 1024;
        // Enough rotated files to keep all 3,200 lines, so every one of them can be counted.
        int maxFiles = 100;
        Path current = dir.resolve("audit.log");
        CountDownLatch start = new CountDownLatch(1);
        try (AuditLog log = new AuditLog(new AuditConfig(current, limit, maxFiles, true))) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int id = t;
                    results.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < perThread; i++) {
                            // Varying sizes so lines straddle the rotation point at different offsets.
                            log.append(event("t%02d-%03d".formatted(id, i), "SELECT " + "1,".repeat(i % 37) + "1"));
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : results) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
        }

        List<Path> files = files(current, maxFiles);
        assertThat(files.size()).isGreaterThan(2);   // rotation really happened under contention
        Set<String> ids = new HashSet<>();
        int count = 0;
        for (Path f : files) {
            assertThat(Files.size(f)).isLessThanOrEqualTo(limit);
            for (String line : lines(f)) {
                JsonNode n = parse(line);
                assertThat(keys(n)).containsExactlyElementsOf(ALL_KEYS);
                ids.add(n.get("request_id").asText());
                count++;
            }
        }
        assertThat(count).isEqualTo(threads * perThread);
        assertThat(ids).hasSize(threads * perThread);
    }

    @Test
    void appendersWaitingForASyncShareTheNextOne() throws Exception {
        try (AuditLog log = new AuditLog(new AuditConfig(dir.resolve("audit.log"), 1 << 20, 2, true))) {
            log.append(event("warm-up"));
            long before = log.syncs();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            var syncLock = log.syncLockForTests();
            List<Future<?>> done = new ArrayList<>();
            syncLock.lock();
            try {
                for (int i = 0; i < 4; i++) {
                    String id = "queued-" + i;
                    done.add(pool.submit(() -> log.append(event(id))));
                }
                // All four lines are written; their appenders now wait for the sync lock.
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (syncLock.getQueueLength() < 4 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(syncLock.getQueueLength()).isEqualTo(4);
            } finally {
                syncLock.unlock();
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            // The first to get the lock syncs all four lines; the others find them on disk already.
            assertThat(log.syncs() - before).isEqualTo(1);
            assertThat(lines(dir.resolve("audit.log"))).hasSize(5);
        }
    }
}
