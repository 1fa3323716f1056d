package io.spillway.input.gelf;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.spillway.input.netty.DecodeError;
import java.util.List;
import java.util.function.Consumer;

/**
 * Splits a GELF TCP stream into frames at NUL bytes (the delimiter is not part of the frame; empty
 * frames are skipped). A frame longer than {@code maxFrame} bytes is refused as soon as the bound is
 * passed: its bytes are discarded up to the next NUL without being buffered, the error consumer is told
 * {@code too_large} once, and the frames after it are decoded as usual. Unlike Netty's {@code
 * DelimiterBasedFrameDecoder} it never throws, so frames already received behind an oversize one are
 * not left waiting for the next read. Not thread-safe (one per channel); frames passed on are retained
 * slices the next handler releases.
 */
final class GelfFrameDecoder extends ByteToMessageDecoder {
    private final int maxFrame;
    private final Consumer<String> errors;
    private boolean discarding;

    GelfFrameDecoder(int maxFrame, Consumer<String> errors) {
        this.maxFrame = maxFrame;
        this.errors = errors;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            int nul = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) 0);
            if (discarding) {
                if (nul < 0) {
                    in.skipBytes(in.readableBytes());
                    return;
                }
                in.readerIndex(nul + 1);
                discarding = false;
                continue;
            }
            if (nul < 0) {
                if (in.readableBytes() > maxFrame) {
                    errors.accept(DecodeError.TOO_LARGE.label());
                    in.skipBytes(in.readableBytes());
                    discarding = true;
                }
                return;
            }
            int length = nul - in.readerIndex();
            if (length > maxFrame) {
                errors.accept(DecodeError.TOO_LARGE.label());
                in.readerIndex(nul + 1);
                continue;
            }
            if (length == 0) {
                in.skipBytes(1);
                continue;
            }
            out.add(in.readRetainedSlice(length));
            in.skipBytes(1);
        }
    }
}
