package io.spillway.input.gelf;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spillway.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/** Coverage-guided fuzzing of {@link GelfChunkAggregator} (chunked GELF UDP reassembly). */
class GelfChunkAggregatorFuzzTest {
    private static final List<String> KINDS = List.of("chunk_invalid", "chunk_evicted", "chunk_timeout", "too_large");

    /**
     * A fuzzed sequence of datagrams (raw, or chunk headers over a few colliding message ids), clock
     * steps and expiry runs against fuzzed bounds. After every step: at most max_chunked_messages in
     * reassembly, at most max_reassembly_bytes held, a reassembled message of several chunks at most
     * max_message, errors of the documented kinds; once everything timed out, nothing is held (the
     * byte accounting returns to zero).
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void offer_anyDatagrams_boundedAndAccounted(FuzzedDataProvider d) {
        int maxMessages = d.consumeInt(1, 8);
        int maxMessageBytes = d.consumeInt(1, 512);
        long maxTotal = d.consumeLong(maxMessageBytes, 4096);
        Duration timeout = Duration.ofMillis(d.consumeInt(1, 10_000));
        FakeClock clock = new FakeClock(Instant.parse("2015-07-29T03:00:00Z"));
        List<String> errors = new ArrayList<>();
        GelfChunkAggregator agg =
                new GelfChunkAggregator(maxMessages, maxMessageBytes, maxTotal, timeout, clock, errors::add);
        int steps = 0;
        while (d.remainingBytes() > 0 && steps++ < 500) {
            switch (d.consumeInt(0, 4)) {
                case 0 -> clock.advance(Duration.ofMillis(d.consumeInt(0, 5_000)));
                case 1 -> agg.expire();
                case 2 -> {
                    byte[] datagram = d.consumeBytes(d.consumeInt(0, 64));
                    check(agg.offer(datagram), datagram, maxMessageBytes);
                }
                default -> {
                    int count = d.consumeBoolean() ? d.consumeInt(0, 255) : d.consumeInt(1, 6);
                    int seq = d.consumeBoolean() ? d.consumeInt(0, 255) : d.consumeInt(0, Math.max(0, count - 1));
                    byte[] body = d.consumeBytes(d.consumeInt(0, 300));
                    byte[] datagram = chunk(d.consumeInt(0, 3), seq, count, body);
                    check(agg.offer(datagram), datagram, maxMessageBytes);
                }
            }
            assertThat(agg.pendingMessages()).isBetween(0, maxMessages);
            assertThat(agg.pendingBytes()).isBetween(0L, maxTotal);
            assertThat(errors).isSubsetOf(KINDS);
        }
        clock.advance(timeout);
        agg.expire();
        assertThat(agg.pendingMessages()).isZero();
        assertThat(agg.pendingBytes()).isZero();
    }

    /**
     * A message cut into chunks (fuzzed size, 1 to 128 of them) and offered in a fuzzed order, with
     * duplicates, comes back whole on its last new chunk, byte for byte, leaving nothing held.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void offer_chunksInAnyOrder_reassembledExactly(FuzzedDataProvider d) {
        int size = d.consumeInt(1, 64);
        byte[] message = d.consumeBytes(size * GelfChunkAggregator.MAX_SEQUENCE_COUNT);
        if (message.length == 0) {
            return;
        }
        int count = (message.length + size - 1) / size;
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            chunks.add(chunk(
                    7, i, count, Arrays.copyOfRange(message, i * size, Math.min(message.length, (i + 1) * size))));
        }
        // A fuzzed permutation, then a few duplicates of chunks already sent.
        List<byte[]> order = new ArrayList<>();
        List<byte[]> left = new ArrayList<>(chunks);
        while (!left.isEmpty()) {
            order.add(left.remove(d.consumeInt(0, left.size() - 1)));
        }
        List<String> errors = new ArrayList<>();
        GelfChunkAggregator agg = new GelfChunkAggregator(
                4, message.length, message.length, Duration.ofSeconds(5), new FakeClock(Instant.EPOCH), errors::add);
        byte[] whole = null;
        int duplicates = 0;
        for (int i = 0; i < order.size(); i++) {
            byte[] got = agg.offer(order.get(i));
            if (i < order.size() - 1) {
                assertThat(got).isNull();
                if (i > 0 && d.consumeBoolean()) {
                    assertThat(agg.offer(order.get(d.consumeInt(0, i - 1)))).isNull();
                    duplicates++;
                }
            } else {
                whole = got;
            }
        }
        assertThat(whole).isEqualTo(message);
        assertThat(errors).hasSize(duplicates).allMatch("chunk_invalid"::equals);
        assertThat(agg.pendingMessages()).isZero();
        assertThat(agg.pendingBytes()).isZero();
    }

    private static void check(byte[] got, byte[] datagram, int maxMessageBytes) {
        if (got == null || got == datagram) {
            return;
        }
        int count = datagram[GelfChunkAggregator.HEADER - 1] & 0xff;
        if (count > 1) {
            assertThat(got.length).isLessThanOrEqualTo(maxMessageBytes);
        } else {
            assertThat(got).isEqualTo(Arrays.copyOfRange(datagram, GelfChunkAggregator.HEADER, datagram.length));
        }
    }

    /** A chunk datagram: magic, 8-byte id, sequence number, sequence count, body. */
    static byte[] chunk(long id, int seq, int count, byte[] body) {
        byte[] d = new byte[GelfChunkAggregator.HEADER + body.length];
        d[0] = (byte) GelfChunkAggregator.MAGIC_1;
        d[1] = (byte) GelfChunkAggregator.MAGIC_2;
        for (int i = 0; i < 8; i++) {
            d[2 + i] = (byte) (id >>> (56 - 8 * i));
        }
        d[10] = (byte) seq;
        d[11] = (byte) count;
        System.arraycopy(body, 0, d, GelfChunkAggregator.HEADER, body.length);
        return d;
    }
}
