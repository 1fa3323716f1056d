package io.spillway.input.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MsgpackWalkerTest {
    @Test
    void walk_frameFedOneByteAtATime_completesExactlyAtItsEnd() throws Exception {
        byte[] frame = Fwd.docker("tag", "/web", "stdout", "hello", "chunk");
        byte[] two = Fwd.concat(frame, frame);
        MsgpackWalker w = new MsgpackWalker(1 << 20, "max_chunk");
        for (int i = 1; i < frame.length; i++) {
            assertThat(w.walk(Unpooled.wrappedBuffer(two, 0, i)))
                    .as("after %d bytes", i)
                    .isEqualTo(-1);
        }
        assertThat(w.walk(Unpooled.wrappedBuffer(two, 0, frame.length))).isEqualTo(frame.length);
        assertThat(w.walk(Unpooled.wrappedBuffer(two))).isEqualTo(frame.length);
    }

    @Test
    void walk_arrayHeaderAnnouncing2pow31Entries_refusedWithoutWaiting() {
        ByteBuf header = Unpooled.wrappedBuffer(new byte[] {(byte) 0xdd, (byte) 0x80, 0, 0, 0});
        assertThatThrownBy(() -> new MsgpackWalker(16 << 20, "max_chunk").walk(header))
                .isInstanceOf(ForwardException.class)
                .hasMessageContaining("2147483648 elements")
                .hasMessageContaining("max_chunk");
    }

    @Test
    void walk_headerStartingAtTheLimit_refusedWithoutAwaitingItsBytes() {
        // Found by ForwardFrameDecoderFuzzTest: [[1, 1, 1], float64] with a limit of 5. The float64's
        // header starts at offset 5 and takes 9 bytes; the walker used to wait for them, holding up to
        // 8 bytes more than max_chunk, instead of refusing an object that cannot fit.
        byte[] bytes = {(byte) 0x92, (byte) 0x93, 1, 1, 1, (byte) 0xcb, 0, 0};
        assertThatThrownBy(() -> new MsgpackWalker(5, "max_chunk").walk(Unpooled.wrappedBuffer(bytes)))
                .isInstanceOfSatisfying(
                        ForwardException.class, e -> assertThat(e.kind()).isEqualTo("too_large"))
                .hasMessageContaining("max_chunk (5 bytes)");
    }

    @Test
    void walk_str32Announcing2GiB_refused() {
        ByteBuf header =
                Unpooled.wrappedBuffer(new byte[] {(byte) 0x92, (byte) 0xa1, 't', (byte) 0xdb, 0x7f, -1, -1, -1});
        assertThatThrownBy(() -> new MsgpackWalker(16 << 20, "max_chunk").walk(header))
                .isInstanceOf(ForwardException.class)
                .satisfies(e -> assertThat(((ForwardException) e).kind()).isEqualTo("too_large"));
    }

    @Test
    void walk_deepNesting_tooDeep() {
        byte[] deep = new byte[200];
        java.util.Arrays.fill(deep, (byte) 0x91);
        assertThatThrownBy(() -> new MsgpackWalker(1 << 20, "max_chunk").walk(Unpooled.wrappedBuffer(deep)))
                .isInstanceOf(ForwardException.class)
                .satisfies(e -> assertThat(((ForwardException) e).kind()).isEqualTo("too_deep"));
    }

    @Test
    void walk_neverUsedByte0xc1_malformed() {
        assertThatThrownBy(() ->
                        new MsgpackWalker(100, "max_chunk").walk(Unpooled.wrappedBuffer(new byte[] {(byte) 0xc1})))
                .isInstanceOf(ForwardException.class)
                .satisfies(e -> assertThat(((ForwardException) e).kind()).isEqualTo("malformed"));
    }

    @Test
    void walk_everyMsgpackType_lengthMatchesEncoding() throws Exception {
        byte[] frame = Fwd.pack(p -> {
            p.packArrayHeader(20)
                    .packNil()
                    .packBoolean(true)
                    .packInt(-1)
                    .packInt(200)
                    .packInt(-200);
            p.packInt(70000)
                    .packLong(1L << 40)
                    .packLong(-(1L << 40))
                    .packFloat(1f)
                    .packDouble(2d);
            p.packString("x".repeat(40)).packString("y".repeat(300)).packString("z".repeat(70000));
            p.packBinaryHeader(3).writePayload(new byte[3]);
            p.packExtensionTypeHeader((byte) 1, 4).writePayload(new byte[4]);
            p.packExtensionTypeHeader((byte) 1, 20).writePayload(new byte[20]);
            p.packArrayHeader(20);
            for (int i = 0; i < 20; i++) {
                p.packInt(i);
            }
            Fwd.map(p, Map.of("a", "b"));
            p.packMapHeader(20);
            for (int i = 0; i < 20; i++) {
                p.packInt(i).packInt(i);
            }
            p.packBigInteger(java.math.BigInteger.ONE.shiftLeft(63));
        });
        assertThat(new MsgpackWalker(1 << 20, "k").walk(Unpooled.wrappedBuffer(frame)))
                .isEqualTo(frame.length);
    }
}
