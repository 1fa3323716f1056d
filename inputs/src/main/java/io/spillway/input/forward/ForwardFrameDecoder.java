package io.spillway.input.forward;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits a TCP stream into forward frames: each frame is one complete msgpack object, found by a
 * {@link MsgpackWalker} with the limit {@code max_chunk}, passed on as a retained slice (the next
 * handler releases it).
 *
 * <p>A frame over {@code max_chunk}, too deep or not msgpack is reported through {@link Failure} and
 * the connection is closed, since the next frame's start cannot be found; nothing is buffered beyond
 * the bytes of the frame in progress plus one read. Not sharable: one per connection.
 */
final class ForwardFrameDecoder extends ByteToMessageDecoder {
    /** Told why a connection lost its framing. */
    interface Failure {
        void failed(ChannelHandlerContext ctx, ForwardException e);
    }

    private final MsgpackWalker walker;
    private final Failure failure;
    private boolean failed;

    ForwardFrameDecoder(int maxChunk, Failure failure) {
        this.walker = new MsgpackWalker(maxChunk, "max_chunk");
        this.failure = failure;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable()) {
            long len;
            try {
                len = walker.walk(in);
            } catch (ForwardException e) {
                failed = true;
                in.skipBytes(in.readableBytes());
                failure.failed(ctx, e);
                ctx.close();
                return;
            }
            if (len < 0) {
                return;
            }
            out.add(in.readRetainedSlice((int) len));
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decode(ctx, in, out);
        if (!failed && in.isReadable()) {
            failed = true;
            failure.failed(
                    ctx,
                    new ForwardException(
                            "truncated", "connection closed inside a frame (" + in.readableBytes() + " bytes lost)"));
            in.skipBytes(in.readableBytes());
        }
    }
}
