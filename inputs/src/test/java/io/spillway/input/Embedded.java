package io.spillway.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ResourceLeakDetector;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives a frame decoder in an {@link EmbeddedChannel} for the fuzz tests: writes a stream in chunks,
 * copies out and releases every frame, and checks that nothing written stays retained (leak detection
 * is paranoid as well, but it only logs; the reference counts are what the tests assert).
 */
public final class Embedded {
    static {
        System.setProperty("io.netty.leakDetection.level", "paranoid");
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    private static final MethodHandle INTERNAL_BUFFER;

    static {
        try {
            var m = ByteToMessageDecoder.class.getDeclaredMethod("internalBuffer");
            m.setAccessible(true);
            INTERNAL_BUFFER = MethodHandles.lookup().unreflect(m);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Told, after every chunk written, how many bytes the decoder holds between reads. */
    public interface AfterWrite {
        void check(int buffered);
    }

    private Embedded() {}

    /** Bytes held in a decoder's cumulation buffer (what it keeps between reads). */
    public static int buffered(ByteToMessageDecoder decoder) {
        try {
            ByteBuf b = (ByteBuf) INTERNAL_BUFFER.invoke(decoder);
            return b.readableBytes();
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Writes {@code stream} in chunks of {@code chunk} bytes (the last may be shorter), then closes the
     * channel (so {@code decodeLast} runs) and returns every frame emitted, in order. Stops writing
     * once the decoder closed the channel.
     */
    public static List<byte[]> frames(ByteToMessageDecoder decoder, byte[] stream, int chunk, AfterWrite after) {
        return frames(decoder, new ChannelHandler[0], stream, chunk, after);
    }

    /** As above, with more handlers after the decoder (they see the frames first; what they pass on is returned). */
    public static List<byte[]> frames(
            ByteToMessageDecoder decoder, ChannelHandler[] next, byte[] stream, int chunk, AfterWrite after) {
        ChannelHandler[] handlers = new ChannelHandler[next.length + 1];
        handlers[0] = decoder;
        System.arraycopy(next, 0, handlers, 1, next.length);
        EmbeddedChannel channel = new EmbeddedChannel(handlers);
        List<ByteBuf> written = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        try {
            for (int i = 0; i < stream.length && channel.isOpen(); i += chunk) {
                int n = Math.min(chunk, stream.length - i);
                ByteBuf buf = Unpooled.buffer(n);
                buf.writeBytes(stream, i, n);
                written.add(buf);
                channel.writeInbound(buf);
                drain(channel, frames);
                if (channel.isOpen()) {
                    after.check(buffered(decoder));
                }
            }
            channel.finish();
            drain(channel, frames);
        } finally {
            channel.finishAndReleaseAll();
        }
        assertThat(written)
                .as("every buffer written is released once its frames are")
                .allSatisfy(b -> assertThat(b.refCnt()).isZero());
        return frames;
    }

    private static void drain(EmbeddedChannel channel, List<byte[]> frames) {
        Object o;
        while ((o = channel.readInbound()) != null) {
            if (o instanceof ByteBuf b) {
                try {
                    frames.add(ByteBufUtil.getBytes(b));
                } finally {
                    b.release();
                }
            } else {
                throw new AssertionError("decoder emitted " + o.getClass().getName() + ", not a ByteBuf");
            }
        }
    }
}
