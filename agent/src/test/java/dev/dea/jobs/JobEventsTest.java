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

    @Test
    void aListenerGetsTheBacklogAfterItsIdThenEveryNewEventOnceAndTheLastFlagged() {
        JobEvents events = new JobEvents(List.of());
        events.append("queued", "{}");
        events.append("started", "{}");
        List<String> seen = new ArrayList<>();
        List<JobEvent> backlog = events.subscribe(1, (e, last) -> seen.add(e.id() + e.name() + (last ? "!" : "")));
        assertThat(backlog).extracting(JobEvent::name).containsExactly("started");
        events.append("progress", "{\"rows\":1}");
        events.end("result", "{}");
        assertThat(seen).containsExactly("3progress", "4result!");
        assertThat(events.listeners()).isZero();
        assertThat(events.subscribe(4, (e, last) -> seen.add("late"))).isEmpty();
        assertThat(events.listeners()).isZero();
    }

    @Test
    void eventDataIsOneLineAndTheWireFormatIsServerSentEvents() {
        assertThat(new JobEvent(7, "progress", "{\"rows\":3}").wire())
                .isEqualTo("id: 7\nevent: progress\ndata: {\"rows\":3}\n\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new JobEvent(1, "x", "a\nb"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
