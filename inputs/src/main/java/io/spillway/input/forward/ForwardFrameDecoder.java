package io.spillway.input.forward;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.spillway.input.netty.DecodeError;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Splits a TCP stream into forward frames: each frame is one complete msgpack object, found by a
 * {@link MsgpackWalker} with the limit {@code max_chunk}, passed on as a retained slice (the next
 * handler releases it).
 *
 * <p>A frame over {@code max_chunk}, too deep or not msgpack is reported through {@link Failure} and
 * the connection is closed, since the next frame's start cannot be found; nothing is buffered beyond
 * the bytes of the frame in progress plus one read.
 *
 * <p>All connections' held bytes are added up in one counter shared by the input: while the total is
 * over {@code max_buffered}, a connection holding at least {@value #SMALL_HOLD} bytes of an incomplete
 * frame is closed ({@code memory_budget}), so many peers trickling large frames cannot add up to
 * {@code max_connections × max_chunk}, while clients sending small frames go on. Not sharable: one
 * per connection.
 */
final class ForwardFrameDecoder extends ByteToMessageDecoder {
    /** Told why a connection lost its framing. */
    interface Failure {
        void failed(ChannelHandlerContext ctx, ForwardException e);
    }

    /** Below this, a connection is not closed for the shared budget: about one socket read. */
    static final int SMALL_HOLD = 64 * 1024;

    private final MsgpackWalker walker;
    private final Failure failure;
    private final AtomicLong buffered;
    private final long maxBuffered;
    private long held;
    private boolean failed;

    /**
     * @param maxChunk the longest frame
     * @param buffered the bytes held by all connections' decoders, shared
     * @param maxBuffered the bound on {@code buffered} ({@code max_buffered})
     */
    ForwardFrameDecoder(int maxChunk, AtomicLong buffered, long maxBuffered, Failure failure) {
        this.walker = new MsgpackWalker(maxChunk, "max_chunk");
        this.buffered = buffered;
        this.maxBuffered = maxBuffered;
        this.failure = failure;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        split(ctx, in, out);
        long now = in.readableBytes();
        long total = buffered.addAndGet(now - held);
        held = now;
        if (!failed && total > maxBuffered && now >= SMALL_HOLD) {
            failed = true;
            ForwardException e = new ForwardException(
                    DecodeError.MEMORY_BUDGET,
                    "connections hold " + total + " bytes of incomplete frames, over max_buffered (" + maxBuffered
                            + " bytes); closing this one, which holds " + now);
            in.skipBytes(in.readableBytes());
            buffered.addAndGet(-held);
            held = 0;
            fail(ctx, e);
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        buffered.addAndGet(-held);
        held = 0;
    }

    /** Reports {@code e}; closes the connection when the error says so (every framing error does). */
    private void fail(ChannelHandlerContext ctx, ForwardException e) {
        failure.failed(ctx, e);
        if (e.error().closesConnection()) {
            ctx.close();
        }
    }

    private void split(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
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
                fail(ctx, e);
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
                            DecodeError.TRUNCATED,
                            "connection closed inside a frame (" + in.readableBytes() + " bytes lost)"));
            in.skipBytes(in.readableBytes());
        }
    }
}
