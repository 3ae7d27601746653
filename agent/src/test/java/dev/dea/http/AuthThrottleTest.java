package dev.dea.http;

import dev.dea.error.AgentException;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class AuthThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };
    private final AuthThrottle throttle = new AuthThrottle(3, Duration.ofSeconds(60), Duration.ofSeconds(300), clock);

    @Test
    void blocksAnAddressAfterTheLimitAndSaysWhenToRetry() {
        for (int i = 0; i < 3; i++) {
            throttle.checkAllowed("10.0.0.1");
            throttle.recordFailure("10.0.0.1");
        }
        AgentException e = catchThrowableOfType(AgentException.class, () -> throttle.checkAllowed("10.0.0.1"));
        assertThat(e.type().name()).isEqualTo("TOO_MANY_REQUESTS");
        assertThat(e.details()).containsEntry("retry_after_seconds", 300L);
        assertThatCode(() -> throttle.checkAllowed("10.0.0.2")).doesNotThrowAnyException();
        now.addAndGet(300_001);
        assertThatCode(() -> throttle.checkAllowed("10.0.0.1")).doesNotThrowAnyException();
    }

    @Test
    void failuresOutsideTheWindowDoNotAddUp() {
        throttle.recordFailure("a");
        throttle.recordFailure("a");
        now.addAndGet(61_000);
        throttle.recordFailure("a");
        assertThatCode(() -> throttle.checkAllowed("a")).doesNotThrowAnyException();
    }

    @Test
    void aSuccessForgetsEarlierFailures() {
        throttle.recordFailure("a");
        throttle.recordFailure("a");
        throttle.recordSuccess("a");
        throttle.recordFailure("a");
        throttle.recordFailure("a");
        assertThatCode(() -> throttle.checkAllowed("a")).doesNotThrowAnyException();
    }

    @Test
    void tracksABoundedNumberOfAddresses() {
        for (int i = 0; i < AuthThrottle.MAX_TRACKED * 3; i++) {
            throttle.recordFailure("addr-" + i);
        }
        // Memory stays bounded; the newest address is still tracked.
        throttle.recordFailure("addr-last");
        throttle.recordFailure("addr-last");
        throttle.recordFailure("addr-last");
        assertThat(catchThrowableOfType(AgentException.class, () -> throttle.checkAllowed("addr-last"))).isNotNull();
    }

    @Test
    void failuresFromEverNewAddressesDoNotLiftTheBlocksAlreadyInForce() {
        for (int i = 0; i < 3; i++) {
            throttle.recordFailure("guesser");
        }
        for (int i = 0; i < AuthThrottle.MAX_TRACKED * 3; i++) {
            throttle.recordFailure("rotating-" + i);
        }
        assertThat(catchThrowableOfType(AgentException.class, () -> throttle.checkAllowed("guesser")))
                .as("the guesser is still blocked").isNotNull();
    }
}
