package dev.dea.admission;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdmissionTest {
    /** A caller that waits for a slot, returned once it is in the queue. */
    private static CompletableFuture<Void> queuedCaller(Admission admission) throws InterruptedException {
        CompletableFuture<Void> queued = CompletableFuture.runAsync(admission::acquire);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (admission.queued() == 0) {
            assertThat(System.nanoTime()).as("the second caller queues").isLessThan(deadline);
            Thread.sleep(1);
        }
        return queued;
    }

    @Test
    void aFreedSlotGoesToTheQueuedCallerNotToANewcomer() throws Exception {
        Admission admission = new Admission("sandbox", 1, 1, Duration.ofMillis(300));
        admission.acquire();
        CompletableFuture<Void> queued = queuedCaller(admission);
        Thread.sleep(50);

        admission.release(10);

        // The newcomer arrives at once: either the queue is still full, or the slot is taken.
        assertThatThrownBy(admission::acquire).isInstanceOfSatisfying(AgentException.class,
                e -> assertThat(e.type()).isEqualTo(ErrorType.TOO_MANY_REQUESTS));
        queued.get(5, TimeUnit.SECONDS);
        assertThat(admission.running()).isEqualTo(1);
    }

    @Test
    void callersBeyondTheQueueAreToldToComeBackLater() {
        Admission admission = new Admission("profile", 1, 0, Duration.ofMillis(100));
        admission.acquire();
        assertThatThrownBy(admission::acquire).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.type()).isEqualTo(ErrorType.TOO_MANY_REQUESTS);
            assertThat(e.getMessage()).contains("all 1 profile slots are busy and the wait queue (0) is full");
        });
    }

    @Test
    void aSpareSlotIsLentOnlyWhenFreeAndNobodyWaitsAndDoesNotCountAsRunningWork() throws Exception {
        Admission admission = new Admission("profile", 2, 1, Duration.ofSeconds(5));
        admission.acquire();
        assertThat(admission.tryAcquireSpare()).isTrue();
        assertThat(admission.running()).as("the spare is not work of its own").isEqualTo(1);
        assertThat(admission.tryAcquireSpare()).as("no free slot left").isFalse();

        CompletableFuture<Void> queued = queuedCaller(admission);
        admission.releaseSpare();
        queued.get(5, TimeUnit.SECONDS);
        assertThat(admission.running()).isEqualTo(2);
        admission.release(10);
        assertThat(admission.tryAcquireSpare()).isTrue();
        admission.releaseSpare();
        admission.release(10);
        assertThat(admission.running()).isZero();
    }

    @Test
    void noSpareIsLentWhileACallerWaitsEvenIfASlotJustFreedUp() throws Exception {
        Admission admission = new Admission("profile", 1, 1, Duration.ofSeconds(5));
        admission.acquire();
        CompletableFuture<Void> queued = queuedCaller(admission);
        assertThat(admission.tryAcquireSpare()).isFalse();
        admission.release(10);
        queued.get(5, TimeUnit.SECONDS);
        assertThat(admission.tryAcquireSpare()).isFalse();
    }
}
