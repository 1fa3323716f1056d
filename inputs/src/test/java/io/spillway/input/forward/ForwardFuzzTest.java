package io.spillway.input.forward;

import io.spillway.record.LogRecord;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Arbitrary bytes through the walker and the decoder: only {@link ForwardException} may come out. */
class ForwardFuzzTest {
    private static final ForwardDecoder DECODER =
            new ForwardDecoder(4096, 65536, AppTemplate.parse("{{container_name}}"));
    private static final ForwardDecoder.Events IGNORE = new ForwardDecoder.Events() {
        @Override
        public void batch(List<LogRecord> records) {}

        @Override
        public void error(String kind, String detail) {}
    };

    @Property(tries = 1000)
    void walkAndDecode_arbitraryBytes_onlyForwardException(@ForAll @Size(max = 512) byte[] bytes) {
        walkThenDecode(bytes);
    }

    @Property(tries = 500)
    void walkAndDecode_mutatedValidFrame_onlyForwardException(
            @ForAll @IntRange(min = 0, max = 3) int kind,
            @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 100000) Integer> positions,
            @ForAll @Size(max = 8) List<Byte> values) {
        byte[] frame = switch (kind) {
            case 0 -> Fwd.docker("t", "/web", "stdout", "line", "c");
            case 1 -> Fwd.packed("t", Fwd.entries(5, "e"), "c", false);
            case 2 -> Fwd.packed("t", Fwd.gzip(Fwd.entries(5, "e")), "c", true);
            default -> Fwd.message("t", 1, java.util.Map.of("log", "x"));
        };
        for (int i = 0; i < Math.min(positions.size(), values.size()); i++) {
            frame[positions.get(i) % frame.length] = values.get(i);
        }
        walkThenDecode(frame);
    }

    private static void walkThenDecode(byte[] bytes) {
        try {
            long len = new MsgpackWalker(1 << 16, "max_chunk").walk(io.netty.buffer.Unpooled.wrappedBuffer(bytes));
            if (len > 0) {
                DECODER.decode(java.util.Arrays.copyOf(bytes, (int) len), "h", 0, IGNORE);
                ForwardDecoder.chunkOf(java.util.Arrays.copyOf(bytes, (int) len));
            }
        } catch (ForwardException expected) {
            // the declared error
        }
    }
}
