package dev.dea.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * One open {@code text/event-stream} of a job. Events are queued by whoever produces them (the
 * job's thread, the heartbeat timer) and written by a short task on {@code writer}, so neither
 * waits on a slow client and no thread waits for an idle one: between events the stream holds
 * only its connection. It ends after the final event, or at the first failed write (the client
 * went away), which the heartbeat finds out for idle streams.
 *
 * <p>Bounded: a client that reads slower than the job produces (or not at all, until the write
 * times out) would otherwise have every event of the job queued here. Beyond
 * {@link #MAX_PENDING_EVENTS} events or {@link #MAX_PENDING_CHARS} characters waiting, the
 * stream drops what waits and ends; the client reconnects with {@code Last-Event-ID} and gets
 * the job's history after it, which is bounded ({@link JobEvents}).
 */
final class EventStream implements JobEvents.Listener {
    private static final Logger log = LoggerFactory.getLogger(EventStream.class);
    /** Twice a full history: a client that reconnects is replayed one whole and still has room for live events. */
    static final int MAX_PENDING_EVENTS = 2 * JobEvents.MAX_EVENTS;
    /** Far above a history's data (it drops output beyond {@link JobEvents#MAX_BYTES}), so a replay never overflows. */
    static final long MAX_PENDING_CHARS = 8L << 20;
    /** Queued after the final event; compared by identity, since no event's wire text is empty. */
    private static final String END = new String("");

    private final OutputStream out;
    private final Executor writer;
    private final Consumer<EventStream> onEnd;
    private final ConcurrentLinkedQueue<String> pending = new ConcurrentLinkedQueue<>();
    /** What waits in {@link #pending}; approximate while an event is being added or taken. */
    private final AtomicInteger pendingEvents = new AtomicInteger();
    private final AtomicLong pendingChars = new AtomicLong();
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();

    EventStream(OutputStream out, Executor writer, Consumer<EventStream> onEnd) {
        this.out = requireNonNull(out, "out");
        this.writer = requireNonNull(writer, "writer");
        this.onEnd = requireNonNull(onEnd, "onEnd");
    }

    @Override
    public void event(JobEvent event, boolean last) {
        if (last) {
            // Never refused: it is bounded (the result's preview), the stream ends after it, and a
            // replay that overflowed on it would overflow again at every reconnect.
            queue(event.wire());
            pending.add(END);
        } else if (!overflowed.get()) {
            queue(event.wire());
            if (pendingEvents.get() > MAX_PENDING_EVENTS || pendingChars.get() > MAX_PENDING_CHARS) {
                // Not end() here: it would run onEnd under the history's lock. The writer ends the stream.
                overflowed.set(true);
                log.info("A job event stream's client fell {} events ({} characters) behind; the stream ends, "
                        + "a reconnect resumes it", pendingEvents.get(), pendingChars.get());
            }
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
        // Only an idle stream needs one: it keeps proxies from closing it and finds a client that went away.
        if (pendingEvents.get() == 0) {
            queue(": heartbeat\n\n");
            schedule();
        }
    }

    private void queue(String text) {
        pendingEvents.incrementAndGet();
        pendingChars.addAndGet(text.length());
        pending.add(text);
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
                pendingEvents.decrementAndGet();
                pendingChars.addAndGet(-next.length());
                if (overflowed.get()) {
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
        if (!pending.isEmpty() || overflowed.get()) {
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
