package io.spillway.input.forward;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChunkWindowTest {
    private static final byte[] F = {1, 2, 3};

    @Test
    void seen_sameIdOtherBytes_isNotAResend() {
        // A client counting chunk ids per connection reuses them for different chunks: all stored.
        ChunkWindow w = new ChunkWindow(10);
        w.acknowledged(ChunkWindow.key("10.0.0.1", "flood-1", new byte[] {1, 2, 3}));
        assertThat(w.seen(ChunkWindow.key("10.0.0.1", "flood-1", new byte[] {1, 2, 3})))
                .isTrue();
        assertThat(w.seen(ChunkWindow.key("10.0.0.1", "flood-1", new byte[] {1, 2, 4})))
                .isFalse();
        assertThat(w.seen(ChunkWindow.key("10.0.0.1", "flood-1", new byte[] {1, 2, 3, 4})))
                .isFalse();
    }

    @Test
    void seen_afterAcknowledged_trueForThatHostOnly() {
        ChunkWindow w = new ChunkWindow(10);
        w.acknowledged(ChunkWindow.key("10.0.0.1", "c1", F));
        assertThat(w.seen(ChunkWindow.key("10.0.0.1", "c1", F))).isTrue();
        assertThat(w.seen(ChunkWindow.key("10.0.0.2", "c1", F)))
                .as("another host's chunk of the same id")
                .isFalse();
        assertThat(w.seen(ChunkWindow.key("10.0.0.1", "c2", F))).isFalse();
    }

    @Test
    void acknowledged_pastCapacity_forgetsLeastRecentlySeenFirst() {
        ChunkWindow w = new ChunkWindow(3);
        for (int i = 0; i < 3; i++) {
            w.acknowledged(ChunkWindow.key("h", "c" + i, F));
        }
        assertThat(w.seen(ChunkWindow.key("h", "c0", F))).isTrue(); // c0 is now the most recent
        w.acknowledged(ChunkWindow.key("h", "c3", F));
        w.acknowledged(ChunkWindow.key("h", "c4", F));
        assertThat(w.size()).isEqualTo(3);
        assertThat(w.seen(ChunkWindow.key("h", "c1", F))).isFalse();
        assertThat(w.seen(ChunkWindow.key("h", "c2", F))).isFalse();
        assertThat(w.seen(ChunkWindow.key("h", "c0", F))).isTrue();
        assertThat(w.seen(ChunkWindow.key("h", "c4", F))).isTrue();
    }

    @Test
    void capacityZero_remembersNothing() {
        ChunkWindow w = new ChunkWindow(0);
        w.acknowledged(ChunkWindow.key("h", "c", F));
        assertThat(w.seen(ChunkWindow.key("h", "c", F))).isFalse();
        assertThat(w.size()).isZero();
    }

    @Test
    void key_longOrNonStringIds_notRemembered() {
        ChunkWindow w = new ChunkWindow(10);
        byte[] frame = {1};
        assertThat(w.key("h", org.msgpack.value.ValueFactory.newString("x".repeat(ChunkWindow.MAX_ID)), frame))
                .isNotNull();
        assertThat(w.key("h", org.msgpack.value.ValueFactory.newString("x".repeat(ChunkWindow.MAX_ID + 1)), frame))
                .as("a window of huge ids would hold their bytes")
                .isNull();
        assertThat(w.key("h", org.msgpack.value.ValueFactory.newInteger(7), frame))
                .isNull();
        assertThat(new ChunkWindow(0).key("h", org.msgpack.value.ValueFactory.newString("c"), frame))
                .isNull();
    }
}
