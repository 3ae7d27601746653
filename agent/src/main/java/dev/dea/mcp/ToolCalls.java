package dev.dea.mcp;

import dev.dea.db.QueryCancel;
import dev.dea.execute.StepProgress;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The tool calls in flight, so that a client's {@code notifications/cancelled} stops one: its
 * statement cancelled in the database, its sandbox killed, as {@code DELETE /jobs/{id}} does.
 * The endpoint is stateless, so a call is known by the caller's address and its JSON-RPC id
 * (a client names the request it cancels by that id). Bounded by the requests in flight.
 */
final class ToolCalls {
    /** Who asked and which request. */
    record Key(String caller, String requestId) {
        Key {
            requireNonNull(caller, "caller");
            requireNonNull(requestId, "requestId");
        }
    }

    /** One call: what stops it and where its progress goes. */
    static final class ToolCall {
        private final QueryCancel queries = new QueryCancel();
        private final Predicate<Thread> sandboxAbort;
        private final StepProgress progress;
        private volatile boolean cancelled;
        private Thread worker;

        ToolCall(Predicate<Thread> sandboxAbort, StepProgress progress) {
            this.sandboxAbort = requireNonNull(sandboxAbort, "sandboxAbort");
            this.progress = requireNonNull(progress, "progress");
        }

        /** Runs the tool's work on this thread, stoppable by {@link #cancel}. */
        <T> T run(Supplier<T> work) {
            synchronized (this) {
                worker = Thread.currentThread();
            }
            try {
                return queries.run(work);
            } finally {
                synchronized (this) {
                    worker = null;
                }
                Thread.interrupted();
            }
        }

        StepProgress progress() {
            return progress;
        }

        boolean cancelled() {
            return cancelled;
        }

        synchronized void cancel() {
            cancelled = true;
            queries.cancel();
            if (worker != null && !sandboxAbort.test(worker)) {
                worker.interrupt();
            }
        }
    }

    private final Map<Key, ToolCall> calls = new ConcurrentHashMap<>();

    /** Registers a call; {@link #end} must follow. A second call with the same key replaces the first's entry. */
    ToolCall begin(Key key, Predicate<Thread> sandboxAbort, StepProgress progress) {
        ToolCall call = new ToolCall(sandboxAbort, progress);
        calls.put(key, call);
        return call;
    }

    void end(Key key, ToolCall call) {
        calls.remove(key, call);
    }

    /** Cancels the call, if it is still running; false if there is none (finished, or never known). */
    boolean cancel(Key key) {
        Optional<ToolCall> call = Optional.ofNullable(calls.get(key));
        call.ifPresent(ToolCall::cancel);
        return call.isPresent();
    }

    int inFlight() {
        return calls.size();
    }
}
