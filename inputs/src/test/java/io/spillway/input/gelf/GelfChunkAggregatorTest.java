package io.spillway.input.gelf;

import static io.spillway.input.gelf.Gelf.chunk;
import static io.spillway.input.gelf.Gelf.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GelfChunkAggregatorTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<String> errors = new ArrayList<>();
    private final byte[] payload = utf8("{\"short_message\":\"" + "x".repeat(1000) + "\"}");

    private GelfChunkAggregator aggregator(int maxMessages, int maxMessageBytes, long maxTotalBytes) {
        return new GelfChunkAggregator(
                maxMessages, maxMessageBytes, maxTotalBytes, Duration.ofSeconds(5), clock, errors::add);
    }

    private GelfChunkAggregator aggregator() {
        return aggregator(100, 1 << 20, 32 << 20);
    }

    @Test
    void offer_notChunked_returnedAsIs() {
        assertThat(aggregator().offer(payload)).isSameAs(payload);
    }

    @Test
    void offer_chunksInOrder_reassembledOnLast() {
        GelfChunkAggregator a = aggregator();
        List<byte[]> chunks = Gelf.chunks(7, payload, 5);
        for (int i = 0; i < 4; i++) {
            assertThat(a.offer(chunks.get(i))).isNull();
        }
        assertThat(a.offer(chunks.get(4))).isEqualTo(payload);
        assertThat(a.pendingMessages()).isZero();
        assertThat(a.pendingBytes()).isZero();
        assertThat(errors).isEmpty();
    }

    @Test
    void offer_chunksOutOfOrderInterleaved_bothReassembled() {
        GelfChunkAggregator a = aggregator();
        byte[] other = utf8("{\"short_message\":\"other\"}");
        List<byte[]> mixed = new ArrayList<>(Gelf.chunks(1, payload, 7));
        mixed.addAll(Gelf.chunks(2, other, 3));
        Collections.shuffle(mixed, new Random(42));
        List<byte[]> done = new ArrayList<>();
        for (byte[] c : mixed) {
            byte[] whole = a.offer(c);
            if (whole != null) {
                done.add(whole);
            }
        }
        assertThat(done).containsExactlyInAnyOrder(payload, other);
        assertThat(errors).isEmpty();
    }

    @Test
    void offer_singleChunkMessage_returnedWithoutState() {
        GelfChunkAggregator a = aggregator();
        assertThat(a.offer(chunk(9, 0, 1, payload))).isEqualTo(payload);
        assertThat(a.pendingMessages()).isZero();
    }

    @Test
    void offer_duplicateChunk_ignoredAndCounted() {
        GelfChunkAggregator a = aggregator();
        List<byte[]> chunks = Gelf.chunks(3, payload, 3);
        a.offer(chunks.get(0));
        assertThat(a.offer(chunks.get(0))).isNull();
        a.offer(chunks.get(1));
        assertThat(a.offer(chunks.get(2))).isEqualTo(payload);
        assertThat(errors).containsExactly("chunk_invalid");
    }

    @Test
    void offer_outOfRangeHeaders_ignoredAndCounted() {
        GelfChunkAggregator a = aggregator();
        a.offer(chunk(1, 0, 0, payload)); // count 0
        a.offer(chunk(1, 0, 129, payload)); // over 128 (spec)
        a.offer(chunk(1, 5, 5, payload)); // seq not below count
        a.offer(new byte[] {0x1e, 0x0f, 1, 2}); // shorter than the header
        a.offer(chunk(2, 0, 3, payload));
        a.offer(chunk(2, 1, 4, payload)); // count differs from the message's first chunk
        assertThat(errors)
                .containsExactly("chunk_invalid", "chunk_invalid", "chunk_invalid", "chunk_invalid", "chunk_invalid");
        assertThat(a.pendingMessages()).isEqualTo(1);
    }

    @Test
    void offer_incompleteForTimeout_droppedAndCounted() {
        GelfChunkAggregator a = aggregator();
        List<byte[]> chunks = Gelf.chunks(4, payload, 2);
        a.offer(chunks.get(0));
        clock.advance(Duration.ofMillis(4999));
        assertThat(a.expire()).isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(a.expire()).isEqualTo(1);
        assertThat(errors).containsExactly("chunk_timeout");
        assertThat(a.pendingBytes()).isZero();
        // The late chunk starts a new message, which never completes on its own.
        assertThat(a.offer(chunks.get(1))).isNull();
    }

    @Test
    void offer_timeoutCheckedOnOffer_withoutExpireCall() {
        GelfChunkAggregator a = aggregator();
        a.offer(Gelf.chunks(4, payload, 2).get(0));
        clock.advance(Duration.ofSeconds(6));
        a.offer(payload);
        assertThat(errors).containsExactly("chunk_timeout");
        assertThat(a.pendingMessages()).isZero();
    }

    @Test
    void offer_floodOfMessageIds_boundedEvictsOldestAndGoodMessageCompletes() {
        GelfChunkAggregator a = aggregator(1000, 1 << 20, 32 << 20);
        List<byte[]> good = Gelf.chunks(-1L, payload, 2);
        for (int id = 0; id < 50_000; id++) {
            a.offer(chunk(id, 0, 2, new byte[16]));
            assertThat(a.pendingMessages()).isLessThanOrEqualTo(1000);
            if (id == 49_500) {
                a.offer(good.get(0));
            }
        }
        assertThat(a.offer(good.get(1))).isEqualTo(payload);
        assertThat(errors).hasSize(50_000 - 1000 + 1).containsOnly("chunk_evicted");
    }

    @Test
    void offer_totalBytesBound_oldestEvicted() {
        GelfChunkAggregator a = aggregator(1000, 4096, 10_000);
        for (int id = 0; id < 10; id++) {
            a.offer(chunk(id, 0, 2, new byte[3000]));
            assertThat(a.pendingBytes()).isLessThanOrEqualTo(10_000);
        }
        assertThat(a.pendingMessages()).isEqualTo(3);
        assertThat(errors).hasSize(7).containsOnly("chunk_evicted");
    }

    @Test
    void offer_messageOverMaxBytes_droppedTooLarge() {
        GelfChunkAggregator a = aggregator(10, 4096, 1 << 20);
        a.offer(chunk(1, 0, 3, new byte[3000]));
        assertThat(a.offer(chunk(1, 1, 3, new byte[3000]))).isNull();
        assertThat(errors).containsExactly("too_large");
        assertThat(a.pendingMessages()).isZero();
        assertThat(a.pendingBytes()).isZero();
    }

    @Test
    void offer_budgetFull_messageDroppedAsInflightMemoryAndBudgetReturned() {
        io.spillway.pipeline.InflightMemory budget =
                io.spillway.pipeline.InflightMemory.standalone(io.spillway.config.DataSize.ofMiB(1));
        GelfChunkAggregator a = new GelfChunkAggregator(
                100, 1 << 20, 32 << 20, Duration.ofSeconds(5), clock, errors::add, budget.lease("gelf"));
        List<byte[]> chunks = Gelf.chunks(9, payload, 4);
        try (io.spillway.pipeline.InflightMemory.Lease other = budget.lease("forward")) {
            // Room for two chunks of this message, not three.
            int chunkBody = chunks.get(0).length - GelfChunkAggregator.HEADER;
            assertThat(other.tryReserve(budget.limit() - 2L * chunkBody - 10)).isTrue();
            assertThat(a.offer(chunks.get(0))).isNull();
            assertThat(a.offer(chunks.get(1))).isNull();
            assertThat(a.offer(chunks.get(2))).isNull();
            assertThat(errors).containsExactly("inflight_memory");
            assertThat(a.pendingMessages()).isZero();
            assertThat(a.pendingBytes()).isZero();
        }
        assertThat(budget.used()).isZero();
        for (byte[] c : Gelf.chunks(10, payload, 4)) {
            a.offer(c);
        }
        assertThat(budget.used()).isZero(); // completed: its chunks returned
        a.offer(Gelf.chunks(11, payload, 4).get(0));
        assertThat(budget.used()).isEqualTo(a.pendingBytes()).isPositive();
        clock.advance(Duration.ofSeconds(6));
        assertThat(a.expire()).isEqualTo(1);
        assertThat(budget.used()).isZero();
    }
}
