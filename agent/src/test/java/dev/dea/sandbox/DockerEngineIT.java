package dev.dea.sandbox;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The engine client's recovery rules, against the real engine. */
class DockerEngineIT {
    @Test
    void retriesOnceWhenAnotherThreadDroppedTheClient() {
        try (DockerEngine engine = new DockerEngine(SandboxFixture.config(Duration.ofSeconds(5), 1, 0, Optional.empty()),
                "probe", "probe")) {
            AtomicInteger attempts = new AtomicInteger();
            String answer = engine.call("ping", c -> {
                if (attempts.incrementAndGet() == 1) {
                    // What a concurrent failure does: the shared client is dropped and closed under this call.
                    engine.close();
                    throw new IllegalStateException("Connection pool shut down");
                }
                c.pingCmd().exec();
                return "pong";
            });
            assertThat(answer).isEqualTo("pong");
            assertThat(attempts).hasValue(2);
        }
    }

    @Test
    void aTransportFailureOnTheCurrentClientIsNotRetried() {
        try (DockerEngine engine = new DockerEngine(SandboxFixture.config(Duration.ofSeconds(5), 1, 0, Optional.empty()),
                "probe", "probe")) {
            AtomicInteger attempts = new AtomicInteger();
            AgentException e = catchThrowableOfType(AgentException.class, () -> engine.call("ping", c -> {
                attempts.incrementAndGet();
                throw new IllegalStateException("connection reset");
            }));
            assertThat(e.type()).isEqualTo(ErrorType.SANDBOX_UNAVAILABLE);
            assertThat(attempts).hasValue(1);
        }
    }

    @Test
    void aCallThatHangsEndsAtTheCallTimeoutWithoutDroppingTheClient() {
        try (DockerEngine engine = new DockerEngine(SandboxFixture.config(Duration.ofSeconds(5), 1, 0, Optional.empty()),
                "probe", "probe", Duration.ofMillis(500))) {
            var before = engine.client();
            long t0 = System.nanoTime();
            AgentException e = catchThrowableOfType(AgentException.class, () -> engine.call("stuck", c -> {
                SandboxFixture.sleep(5_000);
                return null;
            }));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            assertThat(e.type()).isEqualTo(ErrorType.SANDBOX_UNAVAILABLE);
            assertThat(e.getMessage()).contains("did not answer within 500 ms (stuck)");
            assertThat(engine.client()).as("a slow call does not mean a dead engine").isSameAs(before);
        }
    }

    @Test
    void theFirstSuccessAfterAFailureTellsTheListenerOnce() {
        try (DockerEngine engine = new DockerEngine(SandboxFixture.config(Duration.ofSeconds(5), 1, 0, Optional.empty()),
                "probe", "probe")) {
            AtomicInteger told = new AtomicInteger();
            engine.onReachableAgain(told::incrementAndGet);
            assertThat(engine.ping()).isEmpty();
            assertThat(told).hasValue(0);
            catchThrowableOfType(AgentException.class, () -> engine.call("ping", c -> {
                throw new IllegalStateException("connection refused");
            }));
            assertThat(engine.unreachable()).isTrue();
            assertThat(engine.ping()).isEmpty();
            assertThat(engine.ping()).isEmpty();
            assertThat(told).hasValue(1);
            assertThat(engine.unreachable()).isFalse();
        }
    }
}
