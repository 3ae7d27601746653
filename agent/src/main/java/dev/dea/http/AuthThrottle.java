package dev.dea.http;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down token guessing: after {@code limit} failed authentications from one address
 * within {@code window}, every request from it gets 429 for {@code block}, even with the right
 * token (a guesser must not learn when it succeeded). Memory is bounded: past
 * {@link #MAX_TRACKED} addresses, stale entries are dropped, then counts that block nothing;
 * blocks are never dropped early, so failures from ever new addresses cannot lift them.
 */
final class AuthThrottle {
    static final int MAX_TRACKED = 10_000;

    private final int limit;
    private final Duration window;
    private final Duration block;
    private final Clock clock;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    private record Failures(long windowStart, int count, long blockedUntil) {
    }

    AuthThrottle(int limit, Duration window, Duration block, Clock clock) {
        this.limit = limit;
        this.window = window;
        this.block = block;
        this.clock = clock;
    }

    /** Throws 429 while {@code address} is blocked. */
    void checkAllowed(String address) {
        Failures f = failures.get(address);
        long now = clock.millis();
        if (f != null && f.blockedUntil() > now) {
            long seconds = Math.max(1, (f.blockedUntil() - now + 999) / 1000);
            throw new AgentException(ErrorType.TOO_MANY_REQUESTS,
                    "Too many failed authentications from this address; retry after " + seconds + " s",
                    Map.of("retry_after_seconds", seconds), null);
        }
    }

    void recordFailure(String address) {
        long now = clock.millis();
        if (failures.size() >= MAX_TRACKED) {
            failures.values().removeIf(f -> f.blockedUntil() < now && now - f.windowStart() > window.toMillis());
        }
        if (failures.size() >= MAX_TRACKED) {
            // Counts below the limit go before any block does: failures from ever more addresses must not lift
            // the blocks of the addresses that already guessed too often.
            failures.values().removeIf(f -> f.blockedUntil() <= now);
        }
        if (failures.size() >= MAX_TRACKED && !failures.containsKey(address)) {
            // Full of blocked addresses: this one's failure goes uncounted until a block expires.
            return;
        }
        failures.compute(address, (k, f) -> {
            if (f == null || now - f.windowStart() > window.toMillis()) {
                f = new Failures(now, 0, 0);
            }
            int count = f.count() + 1;
            return new Failures(f.windowStart(), count, count >= limit ? now + block.toMillis() : f.blockedUntil());
        });
    }

    void recordSuccess(String address) {
        failures.remove(address);
    }
}
