package dev.dea.jobs;

import static java.util.Objects.requireNonNull;

/** One server-sent event of a job: {@code id} is the job's own sequence number, from 1. */
public record JobEvent(long id, String name, String data) {
    public JobEvent {
        requireNonNull(name, "name");
        requireNonNull(data, "data");
        if (data.indexOf('\n') >= 0 || data.indexOf('\r') >= 0) {
            // One data line per event: the data is always compact JSON.
            throw new IllegalArgumentException("event data must be one line");
        }
    }

    /** The event as it goes on the wire, ending with the blank line that dispatches it. */
    public String wire() {
        return "id: " + id + "\nevent: " + name + "\ndata: " + data + "\n\n";
    }

    long bytes() {
        return name.length() + data.length() + 32L;
    }
}
