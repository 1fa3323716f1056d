package io.spillway.input.forward;

import io.netty.buffer.ByteBuf;
import io.spillway.input.netty.DecodeError;

/**
 * Finds where one msgpack object ends in a stream of bytes, without decoding it and without trusting
 * any declared length: every array, map, str, bin or ext header is checked against the limit before
 * anything is awaited, so a header announcing 2^31 entries or a 2 GiB string is refused at once,
 * allocating nothing.
 *
 * <h2>Design</h2>
 *
 * The walker reads only headers. It keeps the position reached in the current object and a stack of
 * element counts still expected by the open arrays and maps, so it resumes where it stopped when more
 * bytes arrive: a slow writer costs O(bytes) in all, not O(bytes²). An element takes at least one
 * byte, so a container announcing {@code n} elements needs at least {@code n} more bytes; that lower
 * bound is what is compared with the limit.
 *
 * <h2>Bounds</h2>
 *
 * An object longer than {@code limit} bytes, or nested deeper than {@value #MAX_DEPTH} levels (so the
 * recursive decoders behind it cannot overflow the stack), fails with a {@link ForwardException}
 * ({@code too_large}, {@code too_deep}); the byte 0xc1, never used by msgpack, fails as {@code
 * malformed}. After a failure the walker is reset and the stream's framing is lost.
 *
 * <p>Not thread-safe; one per connection (or per decode).
 */
final class MsgpackWalker {
    /** Nesting depth at most; fluent events are a few levels deep. */
    static final int MAX_DEPTH = 64;

    private final long limit;
    private final String limitKey;
    private final long[] remaining = new long[MAX_DEPTH];
    private int depth;
    private long pos;
    private boolean started;

    /**
     * @param limit the longest object accepted, in bytes
     * @param limitKey the config key of the limit, for error messages
     */
    MsgpackWalker(long limit, String limitKey) {
        this.limit = limit;
        this.limitKey = limitKey;
    }

    /**
     * The length of the object starting at {@code buf.readerIndex()}, or -1 when more bytes are needed
     * (call again with the same start and more bytes). The reader index is not moved.
     */
    long walk(ByteBuf buf) throws ForwardException {
        try {
            return step(buf);
        } catch (ForwardException e) {
            reset();
            throw e;
        }
    }

    /** The length of the complete object at {@code bytes[offset..offset+length)}, failing when it is cut short. */
    static int length(ByteBuf buf, long limit, String limitKey) throws ForwardException {
        MsgpackWalker w = new MsgpackWalker(limit, limitKey);
        long n = w.walk(buf);
        if (n < 0) {
            throw new ForwardException(
                    DecodeError.FRAMING_MALFORMED, "msgpack object cut short after " + buf.readableBytes() + " bytes");
        }
        return (int) n;
    }

    void reset() {
        depth = 0;
        pos = 0;
        started = false;
    }

    private ForwardException tooLarge(long atLeast, long at, String announced) {
        return new ForwardException(
                DecodeError.FRAME_TOO_LARGE,
                "msgpack object of at least " + atLeast + " bytes (a header at offset " + at + " announces " + announced
                        + ") exceeds " + limitKey + " (" + limit + " bytes)");
    }

    private long step(ByteBuf buf) throws ForwardException {
        int start = buf.readerIndex();
        long avail = buf.readableBytes();
        while (true) {
            if (started && depth == 0) {
                if (pos > avail) {
                    return -1; // the last payload has not fully arrived
                }
                long len = pos;
                reset();
                return len;
            }
            if (pos >= avail) {
                return -1;
            }
            int at = start + (int) pos;
            int b = buf.getUnsignedByte(at);
            long header;
            long payload = 0;
            long children = 0;
            if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
                header = 1; // fixint, nil, bool
            } else if (b <= 0x8f) {
                header = 1;
                children = 2L * (b & 0x0f);
            } else if (b <= 0x9f) {
                header = 1;
                children = b & 0x0f;
            } else if (b <= 0xbf) {
                header = 1;
                payload = b & 0x1f;
            } else {
                switch (b) {
                    case 0xc4, 0xd9 -> header = 2; // bin8, str8
                    case 0xc5, 0xda, 0xdc, 0xde -> header = 3; // bin16, str16, array16, map16
                    case 0xc6, 0xdb, 0xdd, 0xdf -> header = 5; // bin32, str32, array32, map32
                    case 0xc7 -> header = 3; // ext8: length, type
                    case 0xc8 -> header = 4; // ext16
                    case 0xc9 -> header = 6; // ext32
                    case 0xca, 0xce, 0xd2 -> header = 5; // float32, uint32, int32
                    case 0xcb, 0xcf, 0xd3 -> header = 9; // float64, uint64, int64
                    case 0xcc, 0xd0 -> header = 2; // uint8, int8
                    case 0xcd, 0xd1 -> header = 3; // uint16, int16
                    case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8 -> header = 2; // fixext 1..16: type byte
                    default ->
                        throw new ForwardException(
                                DecodeError.FRAMING_MALFORMED,
                                "byte 0x" + Integer.toHexString(b) + " is not a msgpack type (offset " + pos + ")");
                }
                if (pos + header > limit) {
                    // The header alone passes the limit: refuse it now rather than await its bytes, so
                    // no more than the limit is ever held (found by ForwardFrameDecoderFuzzTest).
                    throw tooLarge(pos + header, pos, header + " header bytes");
                }
                if (pos + header > avail) {
                    return -1;
                }
                switch (b) {
                    case 0xc4, 0xd9, 0xc7 -> payload = buf.getUnsignedByte(at + 1);
                    case 0xc5, 0xda, 0xc8 -> payload = buf.getUnsignedShort(at + 1);
                    case 0xc6, 0xdb, 0xc9 -> payload = buf.getUnsignedInt(at + 1);
                    case 0xdc -> children = buf.getUnsignedShort(at + 1);
                    case 0xdd -> children = buf.getUnsignedInt(at + 1);
                    case 0xde -> children = 2L * buf.getUnsignedShort(at + 1);
                    case 0xdf -> children = 2L * buf.getUnsignedInt(at + 1);
                    case 0xd4 -> payload = 1;
                    case 0xd5 -> payload = 2;
                    case 0xd6 -> payload = 4;
                    case 0xd7 -> payload = 8;
                    case 0xd8 -> payload = 16;
                    default -> {}
                }
            }
            long end = pos + header + payload;
            if (end + children > limit) {
                throw tooLarge(end + children, pos, children > 0 ? children + " elements" : payload + " bytes");
            }
            started = true;
            pos = end;
            if (depth > 0) {
                remaining[depth - 1]--;
            }
            if (children > 0) {
                if (depth == MAX_DEPTH) {
                    throw new ForwardException(
                            DecodeError.TOO_DEEP,
                            "msgpack nesting deeper than " + MAX_DEPTH + " levels at offset " + pos);
                }
                remaining[depth++] = children;
            }
            while (depth > 0 && remaining[depth - 1] == 0) {
                depth--;
            }
        }
    }
}
