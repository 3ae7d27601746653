package dev.dea.lifecycle;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LifecycleTest {

    @Test
    void closesWhatStartedInReverseOrderOnceAndPastAFailure() {
        List<String> closed = new ArrayList<>();
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.started("first", () -> closed.add("first"));
        lifecycle.started("failing", () -> {
            closed.add("failing");
            throw new IllegalStateException("boom");
        });
        lifecycle.started("last", () -> closed.add("last"));

        lifecycle.close();
        lifecycle.close();

        assertThat(closed).containsExactly("last", "failing", "first");
    }

    @Test
    void refusesToStartAnythingOnceClosed() {
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.close();
        assertThatThrownBy(() -> lifecycle.started("late", () -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("late");
    }

    @Test
    void returnsTheResourceItRecords() {
        Lifecycle lifecycle = new Lifecycle();
        AutoCloseable resource = () -> { };
        assertThat(lifecycle.started("r", resource)).isSameAs(resource);
    }
}
