package dev.dea.jobs;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

class JobTest {
    @Test
    void aSlowCancelHoldsUpNeitherTheJobsReadersNorItsEnd() throws Exception {
        CountDownLatch aborting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // A cancel that takes long: a sandbox kill here; PostgreSQL's cancel request (up to 10 s) runs under no job lock at all.
        Job job = job(thread -> {
            aborting.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        });
        Thread worker = new Thread(() -> { });
        assertThat(job.start(worker)).isTrue();
        ExecutorService threads = Executors.newCachedThreadPool();
        CompletableFuture<Void> cancel = CompletableFuture.runAsync(job::requestCancel, threads);
        try {
            assertThat(aborting.await(5, TimeUnit.SECONDS)).isTrue();
            // What GET /jobs, GET /jobs/{id} and the job's own finish() do meanwhile.
            JobRecord read = CompletableFuture.supplyAsync(job::record, threads).get(1, TimeUnit.SECONDS);
            assertThat(CompletableFuture.supplyAsync(job::cancelRequested, threads).get(1, TimeUnit.SECONDS)).isTrue();
            JobRecord done = read.finished(JobStatus.CANCELLED, Instant.now(), Optional.empty(), Optional.empty());
            CompletableFuture.runAsync(() -> job.record(done), threads).get(1, TimeUnit.SECONDS);
            assertThat(job.record().status()).isEqualTo(JobStatus.CANCELLED);
        } finally {
            release.countDown();
            threads.shutdown();
        }
        cancel.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aCancelAfterTheWorkLeftItsThreadAbortsNothingOnThatThread() {
        AtomicInteger aborts = new AtomicInteger();
        Job job = job(thread -> {
            aborts.incrementAndGet();
            return false;
        });
        Thread worker = new Thread(() -> { });
        assertThat(job.start(worker)).isTrue();
        job.stop();
        job.requestCancel();
        assertThat(aborts).hasValue(0);
        assertThat(worker.isInterrupted()).as("the pool's next task on that thread is not interrupted").isFalse();
        assertThat(job.cancelRequested()).isTrue();
    }

    @Test
    void aJobCancelledBeforeItStartsNeverBindsAThread() {
        AtomicInteger aborts = new AtomicInteger();
        Job job = job(thread -> aborts.incrementAndGet() > 0);
        job.requestCancel();
        assertThat(job.start(new Thread(() -> { }))).isFalse();
        assertThat(aborts).hasValue(0);
    }

    private static Job job(Predicate<Thread> sandboxAbort) {
        JobRecord record = new JobRecord(UUID.randomUUID().toString(), JobStatus.RUNNING, "execute", Optional.of("python"),
                Optional.empty(), Optional.empty(), "req", Instant.now().toString(), Optional.of(Instant.now().toString()),
                Optional.empty(), Optional.empty(), Optional.empty());
        return new Job(record, new JobEvents(java.util.List.of()), progress -> null, Optional.of(sandboxAbort));
    }
}
