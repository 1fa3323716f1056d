package io.spillway.input.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ForwardFrameDecoderTest {
    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    private final List<String> failures = new ArrayList<>();
    private final AtomicLong buffered = new AtomicLong();

    private EmbeddedChannel channel(int maxChunk) {
        return new EmbeddedChannel(
                new ForwardFrameDecoder(maxChunk, buffered, 1 << 20, (ctx, e) -> failures.add(e.kind())));
    }

    @Test
    void decode_twoFramesSplitAtEveryByte_bothFramesWhole() {
        byte[] a = Fwd.docker("t", "/web", "stdout", "first", "c1");
        byte[] b = Fwd.packed("t", Fwd.entries(3, "e"), "c2", false);
        byte[] both = Fwd.concat(a, b);
        for (int cut = 0; cut <= both.length; cut++) {
            EmbeddedChannel ch = channel(1 << 20);
            ch.writeInbound(Unpooled.wrappedBuffer(both, 0, cut));
            ch.writeInbound(Unpooled.wrappedBuffer(both, cut, both.length - cut));
            List<byte[]> frames = new ArrayList<>();
            for (ByteBuf f = ch.readInbound(); f != null; f = ch.readInbound()) {
                frames.add(ByteBufUtil.getBytes(f));
                f.release();
            }
            assertThat(frames).as("cut at %d", cut).hasSize(2);
            assertThat(frames.get(0)).isEqualTo(a);
            assertThat(frames.get(1)).isEqualTo(b);
            assertThat(ch.finish()).isFalse();
        }
        assertThat(failures).isEmpty();
        assertThat(buffered.get()).isZero();
    }

    @Test
    void decode_headerOverMaxChunk_failsAndClosesWithoutWaitingForTheBytes() {
        EmbeddedChannel ch = channel(1024);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x92, (byte) 0xa1, 't', (byte) 0xc6, 0, 0, 8, 0}));
        assertThat(failures).containsExactly("too_large");
        assertThat(ch.isOpen()).isFalse();
        assertThat((Object) ch.readInbound()).isNull();
    }

    @Test
    void decode_connectionClosedInsideAFrame_truncatedCounted() {
        EmbeddedChannel ch = channel(1 << 20);
        byte[] a = Fwd.docker("t", "/web", "stdout", "first", "c1");
        ch.writeInbound(Unpooled.wrappedBuffer(a, 0, a.length - 3));
        ch.finish();
        assertThat(failures).containsExactly("truncated");
        assertThat(buffered.get()).isZero();
    }
}
