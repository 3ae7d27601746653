package dev.dea.lifecycle;

import java.util.ArrayDeque;
import java.util.Deque;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static java.util.Objects.requireNonNull;

/**
 * The agent's resources in the order they were started, stopped in reverse: one list, filled
 * as each service starts, so that a failed start and a normal shutdown close the same things in
 * the same order (airlift's LifeCycleManager, without the reflection). Closing is idempotent
 * and goes on past a resource that fails to close.
 */
public final class Lifecycle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    private record Entry(String name, AutoCloseable resource) {
    }

    private final Deque<Entry> started = new ArrayDeque<>();
    private boolean closed;

    /** Records {@code resource} as started and returns it, so construction and registration are one expression. */
    public synchronized <T extends AutoCloseable> T started(String name, T resource) {
        requireNonNull(name, "name");
        requireNonNull(resource, "resource");
        if (closed) {
            throw new IllegalStateException("cannot start " + name + ": the agent is shutting down");
        }
        started.push(new Entry(name, resource));
        return resource;
    }

    @Override
    public void close() {
        Deque<Entry> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayDeque<>(started);
            started.clear();
        }
        for (Entry entry : toClose) {
            try {
                entry.resource().close();
            } catch (Exception e) {
                log.warn("Closing the {} failed: {}", entry.name(), e.getMessage());
            }
        }
    }
}
