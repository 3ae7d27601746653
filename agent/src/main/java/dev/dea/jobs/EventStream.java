package dev.dea.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * One open {@code text/event-stream} of a job. Events are queued by whoever produces them (the
 * job's thread, the heartbeat timer) and written by a short task on {@code writer}, so neither
 * waits on a slow client and no thread waits for an idle one: between events the stream holds
 * only its connection. It ends after the final event, or at the first failed write (the client
 * went away), which the heartbeat finds out for idle streams.
 */
final class EventStream implements JobEvents.Listener {
    private static final Logger log = LoggerFactory.getLogger(EventStream.class);
    /** Queued after the final event; compared by identity, since no event's wire text is empty. */
    private static final String END = new String("");

    private final OutputStream out;
    private final Executor writer;
    private final Consumer<EventStream> onEnd;
    private final ConcurrentLinkedQueue<String> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();

    EventStream(OutputStream out, Executor writer, Consumer<EventStream> onEnd) {
        this.out = requireNonNull(out, "out");
        this.writer = requireNonNull(writer, "writer");
        this.onEnd = requireNonNull(onEnd, "onEnd");
    }

    @Override
    public void event(JobEvent event, boolean last) {
        pending.add(event.wire());
        if (last) {
            pending.add(END);
        }
        schedule();
    }

    @Override
    public void caughtUp() {
        // Queued, not end(): ending here would run onEnd under the history's lock.
        pending.add(END);
        schedule();
    }

    void heartbeat() {
        pending.add(": heartbeat\n\n");
        schedule();
    }

    boolean ended() {
        return ended.get();
    }

    private void schedule() {
        if (!ended.get() && draining.compareAndSet(false, true)) {
            writer.execute(this::drain);
        }
    }

    private void drain() {
        try {
            String next;
            while (!ended.get() && (next = pending.poll()) != null) {
                if (next == END) {
                    end();
                    return;
                }
                out.write(next.getBytes(StandardCharsets.UTF_8));
                if (pending.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("An event stream ended: {}", e.toString());
            end();
            return;
        } finally {
            draining.set(false);
        }
        // An event queued after the loop's last poll but before draining was cleared.
        if (!pending.isEmpty()) {
            schedule();
        }
    }

    void end() {
        if (ended.compareAndSet(false, true)) {
            pending.clear();
            try {
                out.flush();
            } catch (IOException ignored) {
                // the client is gone
            }
            onEnd.accept(this);
        }
    }
}
