package dev.dea.jobs;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** A job's state; the last four are final. {@code interrupted}: the agent stopped while it was queued or running. */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, INTERRUPTED;

    public boolean finished() {
        return this != QUEUED && this != RUNNING;
    }

    /** The name of the final SSE event that carries a job in this state. */
    String finalEvent() {
        return switch (this) {
            case SUCCEEDED -> "result";
            case CANCELLED -> "cancelled";
            case QUEUED, RUNNING -> throw new IllegalStateException(this + " is not final");
            default -> "error";
        };
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static JobStatus parse(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
