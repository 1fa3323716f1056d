package io.spillway.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.maps;
import static org.quicktheories.generators.SourceDSL.strings;

import io.spillway.Theories;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

class RecordCodecTest {

    /** Records of any code points (lone surrogates included), any stream and severity, up to 4 fields. */
    static Gen<LogRecord> records() {
        Gen<Long> timestamp = longs().all();
        Gen<String> text = strings().allPossible().ofLengthBetween(0, 40);
        Gen<LogStream> stream = Generate.enumValues(LogStream.class);
        Gen<Severity> severity = Generate.enumValues(Severity.class);
        Gen<byte[]> message = Theories.byteArrays(0, 300);
        Gen<Map<String, String>> fields = maps().of(text, text).ofSizeBetween(0, 4);
        return in -> new LogRecord(
                timestamp.generate(in),
                text.generate(in),
                text.generate(in),
                text.generate(in),
                stream.generate(in),
                severity.generate(in),
                message.generate(in),
                fields.generate(in));
    }

    @Test
    void decode_ofEncode_isTheSameRecord() {
        Theories.qt(1000).forAll(records()).checkAssert(RecordCodecTest::roundTrips);
    }

    private static void roundTrips(LogRecord r) {
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

    @Test
    void decode_truncated_throwsIllegalArgument() {
        Theories.qt(1000).forAll(records()).checkAssert(RecordCodecTest::everyCutRefused);
    }

    private static void everyCutRefused(LogRecord r) {
        byte[] b = RecordCodec.encode(r);
        for (int cut = 0; cut < b.length; cut++) {
            byte[] shorter = Arrays.copyOf(b, cut);
            assertThatThrownBy(() -> RecordCodec.decode(ByteBuffer.wrap(shorter)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void decode_garbage_throwsIllegalArgumentOrDecodes() {
        Theories.qt(1000).forAll(Theories.byteArrays(0, 255)).checkAssert(garbage -> {
            try {
                RecordCodec.decode(ByteBuffer.wrap(garbage));
            } catch (IllegalArgumentException expected) {
                // Fine: rejected with a message, never another exception.
            }
        });
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
