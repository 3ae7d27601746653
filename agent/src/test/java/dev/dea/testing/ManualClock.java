package dev.dea.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A UTC clock that a test moves by hand, to expire things without sleeping. */
public final class ManualClock extends Clock {
    private volatile Instant now;

    /** Starts at 2030-01-01T00:00:00Z. */
    public ManualClock() {
        this(Instant.parse("2030-01-01T00:00:00Z"));
    }

    public ManualClock(Instant start) {
        this.now = start;
    }

    public ManualClock(long epochSecond) {
        this(Instant.ofEpochSecond(epochSecond));
    }

    public void advance(Duration d) {
        now = now.plus(d);
    }

    public void advanceSeconds(long seconds) {
        advance(Duration.ofSeconds(seconds));
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
