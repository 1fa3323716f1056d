package io.spillway.input.syslog;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;
import io.spillway.input.netty.DecodeError;
import java.util.List;
import java.util.function.Consumer;

/**
 * Splits a syslog TCP stream into frames (RFC 6587), emitting each frame as a {@link ByteBuf} without
 * its length prefix or delimiter. The handler that receives a frame owns it and must release it.
 *
 * <h2>Framing</h2>
 *
 * The mode is chosen anew at the first byte of every frame, so a connection may mix them:
 *
 * <ul>
 *   <li><b>Octet counting</b> (RFC 6587 §3.4.1): the frame starts with a digit 1–9, then more digits
 *       (at most {@value #MAX_LENGTH_DIGITS} in all), then a space; that many bytes follow.
 *   <li><b>Non-transparent framing</b> (§3.4.2): anything else is a line ended by LF or NUL; a CR
 *       before the LF is dropped (CRLF). Empty lines are skipped.
 * </ul>
 *
 * <h2>Bounds and errors (the one place that decides)</h2>
 *
 * No error closes the connection: every one is counted through the listener and the stream goes on,
 * because a syslog sender cannot be told what went wrong and dropping its connection loses the good
 * lines that follow. At most {@code maxFrame + 1} bytes are ever buffered between reads (plus a length prefix), and
 * the declared length of an octet-counted frame is never allocated up front.
 *
 * <ul>
 *   <li>{@code frame_truncated}: a line longer than {@code maxFrame} is emitted cut to {@code maxFrame}
 *       bytes and the rest is discarded, without buffering, up to the next delimiter; an octet-counted
 *       frame announcing more than {@code maxFrame} is emitted cut to {@code maxFrame} and the declared
 *       remainder is skipped as it arrives.
 *   <li>{@code framing_error}: a digit run longer than {@value #MAX_LENGTH_DIGITS} digits, or one not
 *       followed by a space, is not a length prefix; the frame is read as a line instead.
 *   <li>{@code frame_incomplete}: the connection closed inside an octet-counted frame; the bytes that
 *       did arrive are emitted. A last line without delimiter is emitted without complaint.
 * </ul>
 *
 * Not thread-safe (one instance per connection, as every {@link ByteToMessageDecoder}).
 */
public final class SyslogFrameDecoder extends ByteToMessageDecoder {
    /** 10 digits hold any length a 32-bit sender can announce (4294967295); more is not a length. */
    public static final int MAX_LENGTH_DIGITS = 10;

    private static final ByteProcessor FIND_DELIMITER = b -> b != '\n' && b != 0;

    private enum State {
        START,
        OCTETS,
        SKIP_OCTETS,
        LINE,
        DISCARD_LINE
    }

    private final int maxFrame;
    private final Consumer<String> errors;
    private State state = State.START;
    /** OCTETS: bytes of the frame to emit; SKIP_OCTETS: bytes still to skip. */
    private long remaining;
    /** OCTETS: declared bytes beyond maxFrame, skipped after the frame. */
    private long excess;
    /** LINE: bytes after the reader index already searched for a delimiter. */
    private int scanned;

    /**
     * @param maxFrame longest frame emitted, in bytes (config {@code max_frame})
     * @param errors told the kind of each framing problem ({@code frame_truncated}, {@code framing_error},
     *     {@code frame_incomplete}); called on the channel's event loop
     */
    public SyslogFrameDecoder(int maxFrame, Consumer<String> errors) {
        if (maxFrame < 1) {
            throw new IllegalArgumentException("maxFrame must be at least 1, got " + maxFrame);
        }
        this.maxFrame = maxFrame;
        this.errors = errors;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        // Runs until one frame is emitted or more bytes are needed; ByteToMessageDecoder calls again.
        while (in.isReadable()) {
            switch (state) {
                case START -> {
                    if (!startFrame(in)) {
                        return;
                    }
                }
                case OCTETS -> {
                    if (in.readableBytes() < remaining) {
                        return;
                    }
                    out.add(in.readRetainedSlice((int) remaining));
                    remaining = excess;
                    excess = 0;
                    state = remaining > 0 ? State.SKIP_OCTETS : State.START;
                    return;
                }
                case SKIP_OCTETS -> {
                    int n = (int) Math.min(in.readableBytes(), remaining);
                    in.skipBytes(n);
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.START;
                    }
                }
                case LINE -> {
                    if (readLine(in, out)) {
                        return;
                    }
                    if (state == State.LINE) {
                        return; // no delimiter yet
                    }
                }
                case DISCARD_LINE -> {
                    int delimiter = in.forEachByte(FIND_DELIMITER);
                    if (delimiter < 0) {
                        in.skipBytes(in.readableBytes());
                        return;
                    }
                    in.readerIndex(delimiter + 1);
                    state = State.START;
                }
            }
        }
    }

    /**
     * Decides the mode of the frame starting at the reader index; false when the bytes so far do not
     * tell yet (an unfinished length prefix).
     */
    private boolean startFrame(ByteBuf in) {
        int start = in.readerIndex();
        byte first = in.getByte(start);
        if (first < '1' || first > '9') {
            state = State.LINE;
            scanned = 0;
            return true;
        }
        int limit = start + MAX_LENGTH_DIGITS + 1;
        int i = start;
        long length = 0;
        while (i < in.writerIndex() && i < limit) {
            byte c = in.getByte(i);
            if (c < '0' || c > '9') {
                break;
            }
            length = length * 10 + (c - '0');
            i++;
        }
        if (i < limit && i == in.writerIndex()) {
            return false; // prefix not complete; at most MAX_LENGTH_DIGITS bytes wait
        }
        if (i < limit && in.getByte(i) == ' ') {
            in.readerIndex(i + 1);
            if (length > maxFrame) {
                errors.accept(DecodeError.FRAME_TRUNCATED.label());
                remaining = maxFrame;
                excess = length - maxFrame;
            } else {
                remaining = length;
                excess = 0;
            }
            state = State.OCTETS;
            return true;
        }
        errors.accept(DecodeError.SYSLOG_FRAMING.label());
        state = State.LINE;
        scanned = 0;
        return true;
    }

    /** In LINE state: true when a frame was emitted. May switch to DISCARD_LINE or START. */
    private boolean readLine(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        // maxFrame bytes, then possibly CR, then the delimiter: a longer search finds only too-long lines.
        int searchable = Math.min(in.readableBytes(), maxFrame + 2);
        int delimiter =
                scanned < searchable ? in.forEachByte(start + scanned, searchable - scanned, FIND_DELIMITER) : -1;
        if (delimiter >= 0) {
            int length = delimiter - start;
            if (length > 0 && in.getByte(delimiter - 1) == '\r') {
                length--;
            }
            state = State.START;
            scanned = 0;
            if (length > maxFrame) {
                errors.accept(DecodeError.FRAME_TRUNCATED.label());
                length = maxFrame;
            }
            in.readerIndex(delimiter + 1);
            if (length == 0) {
                return false;
            }
            out.add(in.retainedSlice(start, length));
            return true;
        }
        if (searchable == maxFrame + 2) {
            errors.accept(DecodeError.FRAME_TRUNCATED.label());
            out.add(in.readRetainedSlice(maxFrame));
            state = State.DISCARD_LINE;
            scanned = 0;
            return true;
        }
        scanned = searchable;
        return false;
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            int before = in.readableBytes();
            int emitted = out.size();
            decode(ctx, in, out);
            if (in.readableBytes() == before && out.size() == emitted) {
                break;
            }
        }
        if (!in.isReadable()) {
            return;
        }
        switch (state) {
            case OCTETS -> {
                errors.accept(DecodeError.FRAME_INCOMPLETE.label());
                out.add(in.readRetainedSlice(in.readableBytes()));
            }
            case START, LINE -> {
                // The last line of a stream may lack its delimiter (RFC 6587 §3.4.2 senders that close).
                int length = in.readableBytes();
                if (in.getByte(in.readerIndex() + length - 1) == '\r') {
                    length--;
                }
                if (length > maxFrame) {
                    // Up to maxFrame + 1 bytes plus a held-back length prefix may be buffered: the last
                    // frame obeys the same bound as every other.
                    errors.accept(DecodeError.FRAME_TRUNCATED.label());
                    length = maxFrame;
                }
                if (length > 0) {
                    out.add(in.readRetainedSlice(length));
                }
                in.skipBytes(in.readableBytes());
            }
            case SKIP_OCTETS, DISCARD_LINE -> in.skipBytes(in.readableBytes());
        }
        state = State.START;
        scanned = 0;
    }

    /** Bytes held between reads, for tests of the memory bound. */
    int buffered() {
        ByteBuf cumulation = internalBuffer();
        return cumulation.readableBytes();
    }
}
