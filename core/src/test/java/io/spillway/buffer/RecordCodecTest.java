package io.spillway.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

    @Provide
    static Arbitrary<LogRecord> records() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(40);
        return Combinators.combine(
                        Arbitraries.longs(),
                        text,
                        text,
                        text,
                        Arbitraries.of(LogStream.class),
                        Arbitraries.of(Severity.class),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
                        Arbitraries.maps(text, text).ofMaxSize(4))
                .as(LogRecord::new);
    }

    @Property
    void decode_ofEncode_isTheSameRecord(@ForAll("records") LogRecord r) {
        // Unpaired surrogates cannot survive UTF-8; compare with what the strings become.
        LogRecord expected = new LogRecord(
                r.timestamp(),
                utf8(r.host()),
                utf8(r.app()),
                utf8(r.source()),
                r.stream(),
                r.severity(),
                r.message(),
                r.fields().entrySet().stream()
                        .collect(java.util.stream.Collectors.toMap(
                                e -> utf8(e.getKey()), e -> utf8(e.getValue()), (a, b) -> b)));
        LogRecord back = RecordCodec.decode(ByteBuffer.wrap(RecordCodec.encode(r)));
        if (expected.fields().size() == r.fields().size()) {
            assertThat(back).isEqualTo(expected);
        }
    }

    private static String utf8(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    @Test
    void decode_everyField_roundTrips() {
        LogRecord r = new LogRecord(
                1_700_000_000_123_456_789L,
                "host-1",
                "web",
                "c0ffee",
                LogStream.STDERR,
                Severity.ERROR,
                "boom ünïcode".getBytes(StandardCharsets.UTF_8),
                Map.of("k", "v", "trace", "abc"));
        assertThat(RecordCodec.decode(ByteBuffer.wrap(RecordCodec.encode(r)))).isEqualTo(r);
    }

    @Property
    void decode_truncated_throwsIllegalArgument(@ForAll("records") LogRecord r) {
        byte[] b = RecordCodec.encode(r);
        for (int cut = 0; cut < b.length; cut++) {
            byte[] shorter = Arrays.copyOf(b, cut);
            assertThatThrownBy(() -> RecordCodec.decode(ByteBuffer.wrap(shorter)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Property
    void decode_garbage_throwsIllegalArgumentOrDecodes(@ForAll byte[] garbage) {
        try {
            RecordCodec.decode(ByteBuffer.wrap(garbage));
        } catch (IllegalArgumentException expected) {
            // Fine: rejected with a message, never another exception.
        }
    }

    @Test
    void decode_hugeDeclaredLength_throwsWithoutAllocating() {
        ByteBuffer b = ByteBuffer.allocate(20);
        b.putLong(0).put((byte) 0).put((byte) 0);
        b.put(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07});
        b.flip();
        assertThatThrownBy(() -> RecordCodec.decode(b))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds");
    }
}
