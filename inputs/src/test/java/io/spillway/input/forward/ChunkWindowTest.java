package io.spillway.input.forward;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChunkWindowTest {
    @Test
    void seen_afterAcknowledged_trueForThatHostOnly() {
        ChunkWindow w = new ChunkWindow(10);
        w.acknowledged(ChunkWindow.key("10.0.0.1", "c1"));
        assertThat(w.seen(ChunkWindow.key("10.0.0.1", "c1"))).isTrue();
        assertThat(w.seen(ChunkWindow.key("10.0.0.2", "c1")))
                .as("another host's chunk of the same id")
                .isFalse();
        assertThat(w.seen(ChunkWindow.key("10.0.0.1", "c2"))).isFalse();
    }

    @Test
    void acknowledged_pastCapacity_forgetsLeastRecentlySeenFirst() {
        ChunkWindow w = new ChunkWindow(3);
        for (int i = 0; i < 3; i++) {
            w.acknowledged(ChunkWindow.key("h", "c" + i));
        }
        assertThat(w.seen(ChunkWindow.key("h", "c0"))).isTrue(); // c0 is now the most recent
        w.acknowledged(ChunkWindow.key("h", "c3"));
        w.acknowledged(ChunkWindow.key("h", "c4"));
        assertThat(w.size()).isEqualTo(3);
        assertThat(w.seen(ChunkWindow.key("h", "c1"))).isFalse();
        assertThat(w.seen(ChunkWindow.key("h", "c2"))).isFalse();
        assertThat(w.seen(ChunkWindow.key("h", "c0"))).isTrue();
        assertThat(w.seen(ChunkWindow.key("h", "c4"))).isTrue();
    }

    @Test
    void capacityZero_remembersNothing() {
        ChunkWindow w = new ChunkWindow(0);
        w.acknowledged(ChunkWindow.key("h", "c"));
        assertThat(w.seen(ChunkWindow.key("h", "c"))).isFalse();
        assertThat(w.size()).isZero();
    }
}
