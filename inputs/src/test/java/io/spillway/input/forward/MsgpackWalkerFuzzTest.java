package io.spillway.input.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;
import org.msgpack.core.MessageInsufficientBufferException;
import org.msgpack.core.MessageNeverUsedFormatException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageSizeException;
import org.msgpack.core.MessageUnpacker;

/**
 * Coverage-guided, differential fuzzing of {@link MsgpackWalker} against msgpack-core, the library
 * that decodes the frames the walker delimits.
 */
class MsgpackWalkerFuzzTest {
    /** What msgpack-core makes of the bytes. */
    private sealed interface Core {}

    private record Complete(long length) implements Core {}

    private record Incomplete() implements Core {}

    private record Malformed() implements Core {}

    /** A str, bin or ext of 2^31 bytes or more, which msgpack-core refuses to read at all. */
    private record TooBig() implements Core {}

    /**
     * Byte 0 picks the limit (1–2041), byte 1 the read size for the resumed walk (1–64), the rest is
     * the stream. A length found is the length msgpack-core reads and at most the limit; "more bytes
     * needed" is what msgpack-core says too; {@code too_large} only for an object that is in fact over
     * the limit (or not all there); {@code malformed} only where msgpack-core meets a never-used byte;
     * only {@link ForwardException} is thrown; and a walk resumed read after read (the walker keeps its
     * place) agrees with a walk over all bytes at once.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void walk_anyBytes_agreesWithMsgpackCoreAndResumes(byte[] data) {
        if (data.length < 2) {
            return;
        }
        long limit = 1 + (data[0] & 0xff) * 8L;
        int chunk = 1 + (data[1] & 0x3f);
        byte[] bytes = Arrays.copyOfRange(data, 2, data.length);
        Object once = walkOnce(bytes, limit);
        Object resumed = walkResumed(bytes, limit, chunk);
        assertThat(resumed).isEqualTo(once);
        Core core = core(bytes);
        if (core instanceof TooBig) {
            // msgpack-core refuses once it read the length, which may be before the whole header is
            // there; it has no depth bound, so the walker may have stopped at depth 64 first.
            assertThat(once).isIn("too_large", -1L, "too_deep");
            return;
        }
        if (once instanceof Long n) {
            if (n < 0) {
                assertThat(core).isInstanceOf(Incomplete.class);
            } else {
                assertThat(n).isBetween(1L, limit);
                assertThat(core).isEqualTo(new Complete(n));
            }
        } else {
            String kind = (String) once;
            switch (kind) {
                case "too_large" -> {
                    if (core instanceof Complete c && !overflowsMsgpackCore(bytes, c.length())) {
                        assertThat(c.length()).isGreaterThan(limit);
                    }
                }
                case "malformed" -> assertThat(core).isInstanceOf(Malformed.class);
                case "too_deep" -> {} // msgpack-core has no depth bound to compare with
                default -> throw new AssertionError("unexpected kind " + kind);
            }
        }
    }

    /**
     * Whether the array32 and map32 headers in the first {@code n} bytes announce 2^31 elements or
     * more in all: msgpack-core's skipValue keeps the elements still to skip in an int, adding each
     * header's count (twice a map's), which then overflows, so it stops early and reports a short
     * object where the walker rightly refuses a huge one. Bytes inside payloads may look like such
     * headers; that only makes the check skip a few more inputs.
     */
    private static boolean overflowsMsgpackCore(byte[] b, long n) {
        long announced = 0;
        for (int i = 0; i + 4 < n; i++) {
            int t = b[i] & 0xff;
            if (t == 0xdd || t == 0xdf) {
                long count = ((b[i + 1] & 0xffL) << 24)
                        | ((b[i + 2] & 0xff) << 16)
                        | ((b[i + 3] & 0xff) << 8)
                        | (b[i + 4] & 0xff);
                announced += t == 0xdf ? 2 * count : count;
            }
        }
        return announced >= Integer.MAX_VALUE - n;
    }

    /** The walker over all bytes: the length (-1 = more needed) or the kind of its failure. */
    private static Object walkOnce(byte[] bytes, long limit) {
        try {
            return new MsgpackWalker(limit, "limit").walk(Unpooled.wrappedBuffer(bytes));
        } catch (ForwardException e) {
            return e.kind();
        }
    }

    /** The same walker fed a growing prefix, as a connection's reads arrive. */
    private static Object walkResumed(byte[] bytes, long limit, int chunk) {
        MsgpackWalker w = new MsgpackWalker(limit, "limit");
        long n = -1;
        for (int end = Math.min(chunk, bytes.length); ; end = Math.min(end + chunk, bytes.length)) {
            try {
                n = w.walk(Unpooled.wrappedBuffer(bytes, 0, end));
            } catch (ForwardException e) {
                return e.kind();
            }
            if (n >= 0 || end == bytes.length) {
                return n;
            }
        }
    }

    private static Core core(byte[] bytes) {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(bytes)) {
            u.skipValue();
            return new Complete(u.getTotalReadBytes());
        } catch (MessageInsufficientBufferException e) {
            return new Incomplete();
        } catch (MessageNeverUsedFormatException e) {
            return new Malformed();
        } catch (MessageSizeException e) {
            return new TooBig();
        } catch (MessagePackException | IOException e) {
            throw new AssertionError("msgpack-core: " + e, e);
        }
    }
}
