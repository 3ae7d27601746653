package dev.dea.sandbox;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class SharedProbeTest {
    private static final SandboxBackend.Probe UP = new SandboxBackend.Probe(true, Map.of("pandas", "2.2"), Optional.empty());
    private static final SandboxBackend.Probe DOWN = new SandboxBackend.Probe(false, Map.of(), Optional.of("engine down"));

    @Test
    void concurrentCallersShareOneProbeAndItsAnswerIsReusedBriefly() throws Exception {
        AtomicInteger probes = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        SharedProbe shared = new SharedProbe(heldUntil(release, probes), Duration.ofSeconds(60), Duration.ofSeconds(10));
        List<CompletableFuture<SandboxBackend.Probe>> callers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            callers.add(CompletableFuture.supplyAsync(shared::get, r -> Thread.ofVirtual().start(r)));
        }
        Thread.sleep(200);
        release.countDown();
        for (var c : callers) {
            assertThat(c.get(5, TimeUnit.SECONDS)).isEqualTo(UP);
        }
        assertThat(shared.get()).isEqualTo(UP);
        assertThat(probes).as("one probe for 21 callers").hasValue(1);
    }

    @Test
    void aProbeSlowerThanTheWaitIsReportedAsUnreachableWithoutStartingAnother() {
        AtomicInteger probes = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        SharedProbe shared = new SharedProbe(heldUntil(release, probes), Duration.ZERO, Duration.ofMillis(100));
        SandboxBackend.Probe first = shared.get();
        SandboxBackend.Probe second = shared.get();
        release.countDown();
        assertThat(first.reachable()).isFalse();
        assertThat(first.reason()).hasValueSatisfying(r -> assertThat(r).contains("has not answered"));
        assertThat(second.reachable()).isFalse();
        assertThat(probes).as("the hanging probe is shared, not repeated").hasValue(1);
    }

    @Test
    void aProbeThatThrowsIsUnreachableWithItsMessageAndTheNextCallProbesAgain() {
        AtomicInteger probes = new AtomicInteger();
        SharedProbe shared = new SharedProbe(() -> {
            if (probes.incrementAndGet() == 1) {
                throw new IllegalStateException("engine socket gone");
            }
            return UP;
        }, Duration.ZERO, Duration.ofSeconds(5));
        assertThat(shared.get().reason()).hasValueSatisfying(r -> assertThat(r).contains("engine socket gone"));
        assertThat(shared.get()).isEqualTo(UP);
    }

    @Test
    void aDownAnswerIsForgottenOnceASandboxHasStarted() {
        AtomicInteger probes = new AtomicInteger();
        SharedProbe shared = new SharedProbe(() -> probes.incrementAndGet() == 1 ? DOWN : UP,
                Duration.ofSeconds(60), Duration.ofSeconds(5));
        assertThat(shared.get()).isEqualTo(DOWN);
        assertThat(shared.get()).as("reused within the minute").isEqualTo(DOWN);
        shared.backendAnswered();
        assertThat(shared.get()).isEqualTo(UP);
        shared.backendAnswered();
        assertThat(shared.get()).as("an up answer is kept").isEqualTo(UP);
        assertThat(probes).hasValue(2);
    }

    @Test
    void aProbeBegunDuringTheOutageDoesNotOverwriteTheReturn() throws Exception {
        AtomicInteger probes = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        SharedProbe shared = new SharedProbe(() -> {
            if (probes.incrementAndGet() == 1) {
                await(release);
                return DOWN;
            }
            return UP;
        }, Duration.ofSeconds(60), Duration.ofSeconds(5));
        var stale = CompletableFuture.supplyAsync(shared::get, r -> Thread.ofVirtual().start(r));
        while (probes.get() == 0) {
            Thread.sleep(5);
        }
        shared.backendAnswered();
        assertThat(shared.get()).as("a new probe, not the one still hanging").isEqualTo(UP);
        release.countDown();
        assertThat(stale.get(5, TimeUnit.SECONDS)).isEqualTo(DOWN);
        assertThat(shared.get()).as("the late answer is not kept").isEqualTo(UP);
    }

    /** A probe that counts its calls and answers {@link #UP} once {@code release} opens. */
    private static java.util.function.Supplier<SandboxBackend.Probe> heldUntil(CountDownLatch release, AtomicInteger probes) {
        return () -> {
            probes.incrementAndGet();
            await(release);
            return UP;
        };
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
