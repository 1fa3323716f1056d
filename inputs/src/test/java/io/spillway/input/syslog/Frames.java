package io.spillway.input.syslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;

/** Drives a {@link SyslogFrameDecoder} in an {@link EmbeddedChannel}, releasing every frame it reads. */
final class Frames {
    static {
        // Every frame is a retained slice of the cumulation: any missed release shows up here.
        System.setProperty("io.netty.leakDetection.level", "paranoid");
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    final List<String> errors = new ArrayList<>();
    private final List<ByteBuf> written = new ArrayList<>();
    final SyslogFrameDecoder decoder;
    final EmbeddedChannel channel;

    Frames(int maxFrame) {
        decoder = new SyslogFrameDecoder(maxFrame, errors::add);
        channel = new EmbeddedChannel(decoder);
    }

    Frames write(byte[] bytes) {
        return write(bytes, 0, bytes.length);
    }

    Frames write(byte[] bytes, int from, int to) {
        ByteBuf buf = Unpooled.buffer(to - from);
        buf.writeBytes(bytes, from, to - from);
        written.add(buf);
        channel.writeInbound(buf);
        return this;
    }

    /** Frames emitted so far, copied out and released. */
    List<byte[]> read() {
        List<byte[]> out = new ArrayList<>();
        ByteBuf frame;
        while ((frame = channel.readInbound()) != null) {
            out.add(ByteBufUtil.getBytes(frame));
            frame.release();
        }
        return out;
    }

    /** Closes the channel (decodeLast) and returns the frames still emitted. */
    List<byte[]> finish() {
        channel.finish();
        List<byte[]> frames = read();
        // Frames are slices of what was written: once they and the decoder are done, nothing is retained.
        assertThat(written)
                .allSatisfy(
                        b -> assertThat(b.refCnt()).as("input buffer released").isZero());
        return frames;
    }
}
