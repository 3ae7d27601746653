package dev.dea.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * One job's event history, in order, with the listeners of its open streams. Bounded: beyond
 * {@link #MAX_EVENTS} events or {@link #MAX_BYTES} of data, the oldest {@code progress}
 * events are dropped (a {@code truncated} event says so, once); {@code queued},
 * {@code started} and the final event are always kept. A listener gets the backlog after the
 * id it asks for and every later event, under one lock, so nothing is lost or repeated between
 * the two.
 */
final class JobEvents {
    private static final Logger log = LoggerFactory.getLogger(JobEvents.class);
    static final int MAX_EVENTS = 10_000;
    static final long MAX_BYTES = 1L << 20;
    /** Events the history may drop, oldest first, to stay within its bounds. */
    private static final java.util.Set<String> DROPPABLE = java.util.Set.of("progress", "stdout", "stderr");

    /** Called under the history's lock: it must only queue, never block. */
    interface Listener {
        void event(JobEvent event, boolean last);

        /** The job had ended before the listener subscribed, and it has every event already. */
        void caughtUp();
    }

    private final ArrayDeque<JobEvent> history = new ArrayDeque<>();
    private final List<Listener> listeners = new ArrayList<>();
    private long nextId = 1;
    private long bytes;
    private boolean truncated;
    private JobEvent last;
    private boolean lateLogged;

    JobEvents(List<JobEvent> restored) {
        for (JobEvent e : restored) {
            history.add(e);
            bytes += e.bytes();
            nextId = Math.max(nextId, e.id() + 1);
            truncated |= e.name().equals("truncated");
        }
    }

    /**
     * Adds an event; after the final one it is dropped. That is normal, not a fault: a cancel
     * that waited in vain reports the job cancelled while its work still runs and reports
     * progress or prints (a Python step up to its output limit), and each such event would
     * otherwise fail, and be logged, one by one.
     */
    synchronized void append(String name, String data) {
        if (last != null) {
            if (!lateLogged) {
                lateLogged = true;
                log.debug("Event '{}' came after the job's final event and is dropped, as are any later ones", name);
            }
            return;
        }
        add(name, data);
        while ((history.size() > MAX_EVENTS || bytes > MAX_BYTES) && dropOldestProgress()) {
            if (!truncated) {
                truncated = true;
                add("truncated", "{\"message\":\"older progress and output events were dropped to bound the history\"}");
            }
        }
    }

    /** The final event; the listeners are told it is the last and forgotten. */
    synchronized JobEvent end(String name, String data) {
        if (last != null) {
            return last;
        }
        last = new JobEvent(nextId++, name, data);
        for (Listener l : listeners) {
            l.event(last, true);
        }
        listeners.clear();
        return last;
    }

    /**
     * Hands {@code listener} the events after {@code afterId} (the final one included, if the
     * job has ended), then registers it for the later ones unless the job has ended; under the
     * lock, so an event appended meanwhile can neither come first nor be missed.
     */
    synchronized void subscribe(long afterId, Listener listener) {
        List<JobEvent> backlog = after(afterId);
        for (JobEvent e : backlog) {
            listener.event(e, e == last);
        }
        if (last == null) {
            listeners.add(listener);
        } else if (backlog.isEmpty()) {
            listener.caughtUp();
        }
    }

    synchronized void unsubscribe(Listener listener) {
        listeners.remove(listener);
    }

    synchronized List<JobEvent> after(long afterId) {
        List<JobEvent> out = new ArrayList<>();
        for (JobEvent e : history) {
            if (e.id() > afterId) {
                out.add(e);
            }
        }
        if (last != null && last.id() > afterId) {
            out.add(last);
        }
        return out;
    }

    /** The history without the final event, as stored on disk. */
    synchronized List<JobEvent> history() {
        return List.copyOf(history);
    }

    synchronized Optional<JobEvent> last() {
        return Optional.ofNullable(last);
    }

    synchronized int listeners() {
        return listeners.size();
    }

    private JobEvent add(String name, String data) {
        JobEvent event = new JobEvent(nextId++, name, data);
        history.add(event);
        bytes += event.bytes();
        for (Listener l : listeners) {
            l.event(event, false);
        }
        return event;
    }

    private boolean dropOldestProgress() {
        for (Iterator<JobEvent> it = history.iterator(); it.hasNext(); ) {
            JobEvent e = it.next();
            // Output lines go too: the result still carries the output in full (up to its own limit).
            if (DROPPABLE.contains(e.name())) {
                it.remove();
                bytes -= e.bytes();
                return true;
            }
        }
        return false;
    }
}
