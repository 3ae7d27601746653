package dev.dea.audit;

import dev.dea.config.AuditSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.dea.audit.AuditTesting.event;
import static dev.dea.audit.AuditTesting.lines;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code AUDIT_FSYNC=everysec}: lines are written before append returns and forced in the background. */
class AuditLogFsyncTest {
    @TempDir
    Path dir;

    private AuditLog everysec() {
        return new AuditLog(new AuditConfig(dir.resolve("audit.log"), 1 << 20, 2, true, AuditSettings.Fsync.EVERYSEC));
    }

    @Test
    void everysecAppendReturnsWithTheLineWrittenWithoutWaitingForASync() throws Exception {
        try (AuditLog log = everysec()) {
            var syncLock = log.syncLockForTests();
            syncLock.lock();   // any sync in append would now block
            try {
                CompletableFuture.runAsync(() -> log.append(event("fast"))).get(5, TimeUnit.SECONDS);
                assertThat(lines(dir.resolve("audit.log"))).singleElement().asString().contains("\"request_id\":\"fast\"");
            } finally {
                syncLock.unlock();
            }
        }
    }

    @Test
    void everysecForcesWrittenLinesInTheBackground() throws Exception {
        try (AuditLog log = everysec()) {
            log.append(event("a"));
            log.append(event("b"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (log.syncs() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(log.syncs()).isEqualTo(1);
            // Nothing new written: the next rounds do not sync again.
            Thread.sleep(AuditLog.BACKGROUND_SYNC_MILLIS * 2);
            assertThat(log.syncs()).isEqualTo(1);
        }
    }

    @Test
    void closeStopsTheBackgroundSyncThread() throws InterruptedException {
        AuditLog log = everysec();
        log.append(event("last"));
        log.close();
        log.close();
        // The executor has terminated; its thread may take a moment more to be gone.
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("audit-sync")) {
                t.join(5_000);
                assertThat(t.isAlive()).isFalse();
            }
        }
        assertThat(lines(dir.resolve("audit.log"))).hasSize(1);
    }

    @Test
    void alwaysKeepsSyncingBeforeAppendReturns() {
        try (AuditLog log = new AuditLog(new AuditConfig(dir.resolve("audit.log"), 1 << 20, 2, true))) {
            log.append(event("a"));
            assertThat(log.syncs()).isEqualTo(1);
        }
    }
}
