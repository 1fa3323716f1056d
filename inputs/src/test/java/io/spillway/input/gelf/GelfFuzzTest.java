package io.spillway.input.gelf;

import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.lists;

import io.spillway.FakeClock;
import io.spillway.Theories;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class GelfFuzzTest {
    private final GelfDecoder decoder = new GelfDecoder("_container_name");

    @Test
    void decode_arbitraryBytes_neverThrowsOtherThanGelfException() {
        Theories.qt(1000).forAll(Theories.byteArrays(0, 512)).checkAssert(bytes -> {
            try {
                decoder.decode(bytes, "peer", 0);
            } catch (GelfException expected) {
                // refused with a kind: fine
            }
        });
    }

    @Test
    void decompress_arbitraryBytesWithMagic_neverThrowsOtherThanGelfException() {
        Theories.qt(1000)
                .forAll(Theories.byteArrays(0, 512), booleans().all())
                .checkAssert(GelfFuzzTest::decompressWithMagic);
    }

    private static void decompressWithMagic(byte[] bytes, boolean gzip) {
        byte[] data = new byte[bytes.length + 2];
        data[0] = gzip ? (byte) 0x1f : (byte) 0x78;
        data[1] = gzip ? (byte) 0x8b : (byte) 0x9c;
        System.arraycopy(bytes, 0, data, 2, bytes.length);
        try {
            GelfPayloads.decompress(data, 4096);
        } catch (GelfException expected) {
            // refused with a kind: fine
        }
    }

    @Test
    void offer_arbitraryDatagrams_neverThrowsAndStaysBounded() {
        Theories.qt(300)
                .forAll(lists().of(Theories.byteArrays(0, 40)).ofSizeBetween(0, 300))
                .checkAssert(GelfFuzzTest::datagramsStayBounded);
    }

    private static void datagramsStayBounded(List<byte[]> datagrams) {
        FakeClock clock = new FakeClock(Instant.EPOCH.plusSeconds(1000));
        GelfChunkAggregator a = new GelfChunkAggregator(8, 256, 1024, Duration.ofSeconds(5), clock, kind -> {});
        for (byte[] d : datagrams) {
            if (d.length > 2) {
                // Make about half of them look like chunks, with a small id space so they collide.
                if ((d[0] & 1) == 0) {
                    d[0] = 0x1e;
                    d[1] = 0x0f;
                }
            }
            a.offer(d);
            clock.advance(Duration.ofMillis(d.length * 10L));
            if (a.pendingMessages() > 8 || a.pendingBytes() > 1024) {
                throw new AssertionError("bound exceeded: " + a.pendingMessages() + " / " + a.pendingBytes());
            }
        }
    }
}
