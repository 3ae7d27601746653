package dev.dea.jobs;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class EventStreamTest {
    /** A stream whose writer runs only when the test says: until then its client "reads nothing". */
    private static final class Client {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final List<Runnable> tasks = new ArrayList<>();
        final AtomicBoolean ended = new AtomicBoolean();
        final EventStream stream;

        Client(JobEvents events) {
            stream = new EventStream(out, tasks::add, self -> {
                events.unsubscribe(self);
                ended.set(true);
            });
        }

        void read() {
            while (!tasks.isEmpty()) {
                tasks.remove(0).run();
            }
        }

        List<Long> ids() {
            List<Long> ids = new ArrayList<>();
            for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("id: ")) {
                    ids.add(Long.parseLong(line.substring(4)));
                }
            }
            return ids;
        }
    }

    @Test
    void aClientThatFallsTooManyEventsBehindIsEndedAndResumesFromTheBoundedHistory() {
        JobEvents events = new JobEvents(List.of());
        events.append("queued", "{}");
        events.append("started", "{}");
        Client stalled = new Client(events);
        events.subscribe(0, stalled.stream);
        // A Python job printing far more lines than a stream may hold while its client reads nothing.
        for (int i = 0; i < EventStream.MAX_PENDING_EVENTS * 3; i++) {
            events.append("stdout", "{\"text\":\"line " + i + "\"}");
        }
        stalled.read();
        assertThat(stalled.ended).as("the stream that fell behind ended").isTrue();
        assertThat(stalled.out.size()).as("what waited was dropped, not written").isZero();
        assertThat(events.listeners()).isZero();

        // EventSource reconnects by itself, with the last id it got (none here).
        Client again = new Client(events);
        events.subscribe(0, again.stream);
        again.read();
        assertThat(again.ended).as("a replay of the bounded history fits").isFalse();
        events.end("result", "{}");
        again.read();
        assertThat(again.ended).isTrue();
        List<Long> ids = again.ids();
        assertThat(ids).hasSize(events.after(0).size()).isSorted();
        assertThat(ids.getLast()).isEqualTo(events.last().orElseThrow().id());
    }

    @Test
    void aClientThatFallsTooManyCharactersBehindIsEnded() {
        JobEvents events = new JobEvents(List.of());
        Client stalled = new Client(events);
        events.subscribe(0, stalled.stream);
        String line = "{\"text\":\"" + "x".repeat(512 * 1024) + "\"}";
        for (int i = 0; i < 2 * EventStream.MAX_PENDING_CHARS / line.length(); i++) {
            events.append("stdout", line);
        }
        stalled.read();
        assertThat(stalled.ended).isTrue();
        assertThat(stalled.out.size()).isZero();
    }

    @Test
    void aFullHistoryWithALargeResultIsReplayedWhole() {
        JobEvents events = new JobEvents(List.of());
        events.append("queued", "{}");
        events.append("started", "{}");
        for (int i = 0; i < JobEvents.MAX_EVENTS * 2; i++) {
            events.append("progress", "{\"rows\":" + i + "}");
        }
        // The final event holds the result's preview, up to PREVIEW_MAX_BYTES (8 MB by default) or more.
        events.end("result", "{\"preview\":\"" + "x".repeat((int) EventStream.MAX_PENDING_CHARS + 1024) + "\"}");
        Client late = new Client(events);
        events.subscribe(0, late.stream);
        late.read();
        assertThat(late.ended).isTrue();
        assertThat(late.ids()).hasSize(events.after(0).size());
        assertThat(late.ids().getLast()).isEqualTo(events.last().orElseThrow().id());
    }

    @Test
    void anIdleStreamGetsAHeartbeatAndABusyOneNone() {
        JobEvents events = new JobEvents(List.of());
        Client idle = new Client(events);
        events.subscribe(0, idle.stream);
        idle.stream.heartbeat();
        idle.read();
        assertThat(idle.out.toString(StandardCharsets.UTF_8)).isEqualTo(": heartbeat\n\n");

        Client busy = new Client(events);
        events.subscribe(0, busy.stream);
        events.append("progress", "{\"rows\":1}");
        busy.stream.heartbeat();
        busy.read();
        assertThat(busy.out.toString(StandardCharsets.UTF_8)).doesNotContain("heartbeat");
    }
}
