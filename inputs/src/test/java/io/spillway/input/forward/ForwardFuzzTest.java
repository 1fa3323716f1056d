package io.spillway.input.forward;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.spillway.Theories;
import io.spillway.record.LogRecord;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.Generate;

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

    @Test
    void walkAndDecode_arbitraryBytes_onlyForwardException() {
        Theories.qt(1000).forAll(Theories.byteArrays(0, 512)).checkAssert(ForwardFuzzTest::walkThenDecode);
    }

    @Test
    void walkAndDecode_mutatedValidFrame_onlyForwardException() {
        Theories.qt(500)
                .forAll(
                        integers().between(0, 3),
                        lists().of(integers().between(0, 100000)).ofSizeBetween(0, 8),
                        lists().of(Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0))
                                .ofSizeBetween(0, 8))
                .checkAssert(ForwardFuzzTest::mutatedFrame);
    }

    private static void mutatedFrame(int kind, List<Integer> positions, List<Byte> values) {
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
