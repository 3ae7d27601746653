package dev.dea.jobs;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JobEventsTest {
    @Test
    void beyondTheBoundTheOldestProgressEventsGoWithOneMarkerAndTheOthersStay() {
        JobEvents events = new JobEvents(List.of());
        events.append("queued", "{}");
        events.append("started", "{}");
        for (int i = 0; i < JobEvents.MAX_EVENTS + 500; i++) {
            events.append("progress", "{\"rows\":" + i + "}");
        }
        events.end("result", "{}");
        List<JobEvent> all = events.after(0);
        assertThat(all.size()).isLessThanOrEqualTo(JobEvents.MAX_EVENTS + 1);
        assertThat(all.get(0).name()).isEqualTo("queued");
        assertThat(all.get(1).name()).isEqualTo("started");
        assertThat(all).filteredOn(e -> e.name().equals("truncated")).hasSize(1);
        assertThat(all.get(all.size() - 1).name()).isEqualTo("result");
        assertThat(all.get(all.size() - 2).data()).isEqualTo("{\"rows\":" + (JobEvents.MAX_EVENTS + 499) + "}");
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).id()).isGreaterThan(all.get(i - 1).id());
        }
    }

    @Test
    void theDataBoundDropsProgressEventsToo() {
        JobEvents events = new JobEvents(List.of());
        String big = "{\"rows\":\"" + "x".repeat(10_000) + "\"}";
        for (int i = 0; i < 500; i++) {
            events.append("progress", big);
        }
        long bytes = events.after(0).stream().mapToLong(JobEvent::bytes).sum();
        assertThat(bytes).isLessThanOrEqualTo(JobEvents.MAX_BYTES + big.length() + 100);
    }

    /** Records what a listener is told, in order. */
    private static final class Recorder implements JobEvents.Listener {
        final List<String> seen = new ArrayList<>();

        @Override
        public void event(JobEvent e, boolean last) {
            seen.add(e.id() + e.name() + (last ? "!" : ""));
        }

        @Override
        public void caughtUp() {
            seen.add("caught up");
        }
    }

    @Test
    void aListenerGetsTheBacklogAfterItsIdThenEveryNewEventOnceAndTheLastFlagged() {
        JobEvents events = new JobEvents(List.of());
        events.append("queued", "{}");
        events.append("started", "{}");
        Recorder recorder = new Recorder();
        events.subscribe(1, recorder);
        assertThat(recorder.seen).containsExactly("2started");
        events.append("progress", "{\"rows\":1}");
        events.end("result", "{}");
        assertThat(recorder.seen).containsExactly("2started", "3progress", "4result!");
        assertThat(events.listeners()).isZero();
        Recorder late = new Recorder();
        events.subscribe(4, late);
        assertThat(late.seen).containsExactly("caught up");
        assertThat(events.listeners()).isZero();
        Recorder replay = new Recorder();
        events.subscribe(2, replay);
        assertThat(replay.seen).containsExactly("3progress", "4result!");
    }

    @Test
    void aStreamOpenedAsEventsArriveWritesThemInOrderAndEndsWithTheFinalOne() throws Exception {
        JobEvents events = new JobEvents(List.of());
        events.append("queued", "{}");
        events.append("started", "{}");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        List<Runnable> tasks = new ArrayList<>();
        boolean[] ended = {false};
        // The writer runs nothing until asked: an event appended "while the backlog is written".
        EventStream stream = new EventStream(out, tasks::add, self -> ended[0] = true);
        events.subscribe(0, stream);
        events.append("progress", "{}");
        events.end("result", "{}");
        while (!tasks.isEmpty()) {
            tasks.remove(0).run();
        }
        List<String> ids = new ArrayList<>();
        for (String line : out.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("id: ")) {
                ids.add(line.substring(4));
            }
        }
        assertThat(ids).containsExactly("1", "2", "3", "4");
        assertThat(ended[0]).isTrue();

        java.io.ByteArrayOutputStream again = new java.io.ByteArrayOutputStream();
        boolean[] endedAgain = {false};
        EventStream caughtUp = new EventStream(again, tasks::add, self -> endedAgain[0] = true);
        events.subscribe(4, caughtUp);
        while (!tasks.isEmpty()) {
            tasks.remove(0).run();
        }
        assertThat(again.size()).isZero();
        assertThat(endedAgain[0]).as("a client that has every event is ended at once").isTrue();
    }

    @Test
    void eventsAfterTheFinalOneAreDroppedWithoutFailingTheWorkThatReportsThem() {
        // A cancel that waited in vain ends the job while its work goes on printing.
        JobEvents events = new JobEvents(List.of());
        events.append("queued", "{}");
        events.end("cancelled", "{}");
        Recorder late = new Recorder();
        events.subscribe(0, late);
        for (int i = 0; i < 1_000; i++) {
            events.append("stdout", "{\"text\":\"line " + i + "\"}");
        }
        events.append("progress", "{\"rows\":1}");
        assertThat(events.after(0)).extracting(JobEvent::name).containsExactly("queued", "cancelled");
        assertThat(events.history()).extracting(JobEvent::name).containsExactly("queued");
        assertThat(late.seen).containsExactly("1queued", "2cancelled!");
    }

    @Test
    void eventDataIsOneLineAndTheWireFormatIsServerSentEvents() {
        assertThat(new JobEvent(7, "progress", "{\"rows\":3}").wire())
                .isEqualTo("id: 7\nevent: progress\ndata: {\"rows\":3}\n\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new JobEvent(1, "x", "a\nb"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
