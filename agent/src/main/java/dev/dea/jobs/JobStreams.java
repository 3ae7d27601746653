package dev.dea.jobs;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;

import java.io.OutputStream;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/** The job event streams open now: who holds how many, their heartbeats, the threads that write them. */
final class JobStreams {
    /**
     * Job event streams one caller address may hold open. Each is also a request in flight for
     * MAX_REQUESTS_PER_CLIENT (128 by default); a platform that forwards its users' streams from
     * one address keeps room for its other calls (a cancel, a new step) under this.
     */
    static final int MAX_STREAMS_PER_CLIENT = 32;

    private final Set<EventStream> streams = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> byClient = new ConcurrentHashMap<>();
    private final ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();

    /** A stream of {@code events} after {@code lastEventId}, counted for {@code client} until it ends or is abandoned. */
    JobService.Stream open(JobEvents events, long lastEventId, String client) {
        boolean[] admitted = {false};
        byClient.compute(client, (k, n) -> {
            int open = n == null ? 0 : n;
            admitted[0] = open < MAX_STREAMS_PER_CLIENT;
            return admitted[0] ? open + 1 : n;
        });
        if (!admitted[0]) {
            throw new AgentException(ErrorType.TOO_MANY_REQUESTS, "This address holds " + MAX_STREAMS_PER_CLIENT
                    + " job event streams open; close one (a stream also ends after its job's final event)",
                    Map.of("retry_after_seconds", 1), null);
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                byClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
            }
        };
        return new JobService.Stream() {
            @Override
            public void start(OutputStream out, Runnable onEnd) {
                EventStream stream = new EventStream(out, writers, self -> {
                    events.unsubscribe(self);
                    streams.remove(self);
                    release.run();
                    onEnd.run();
                });
                streams.add(stream);
                events.subscribe(lastEventId, stream);
            }

            @Override
            public void abandon() {
                release.run();
            }
        };
    }

    /** Keeps idle streams open through proxies and finds those whose client went away. */
    void heartbeat() {
        for (EventStream s : streams) {
            if (s.ended()) {
                streams.remove(s);
            } else {
                s.heartbeat();
            }
        }
    }

    void close() {
        writers.shutdown();
    }
}
