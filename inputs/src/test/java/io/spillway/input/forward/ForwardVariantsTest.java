package io.spillway.input.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.input.Corpus;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.Value;

/**
 * Every event-time form the forward spec and Fluentd's {@code in_forward} accept, in every mode, and
 * the frames Fluent Bit 5.1.1 really sent ({@code [[EventTime, {metadata}], record]} entries).
 */
class ForwardVariantsTest {
    private static final long NOW = 1_700_000_000_000_000_000L;
    private static final long T = 1_438_138_800L;

    private final ForwardDecoder decoder =
            new ForwardDecoder(1024 * 1024, 4 * 1024 * 1024, AppTemplate.parse("{{container_name}}"));
    private final List<LogRecord> records = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private final ForwardDecoder.Events events = new ForwardDecoder.Events() {
        @Override
        public void batch(List<LogRecord> batch) {
            records.addAll(batch);
        }

        @Override
        public void error(String kind, String detail) {
            errors.add(kind + ": " + detail);
        }
    };

    private ForwardDecoder.Decoded decode(byte[] frame) throws ForwardException {
        return (ForwardDecoder.Decoded) decoder.decode(frame, "10.0.0.9", NOW, events);
    }

    /** Splits a capture of back-to-back frames into single frames. */
    private static List<byte[]> frames(byte[] capture) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(capture)) {
            while (u.hasNext()) {
                Value v = u.unpackValue();
                try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
                    p.packValue(v);
                    out.add(p.toByteArray());
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"fluent-bit-5.1.1-forward-ack.bin", "fluent-bit-5.1.1-forward-ack-2.bin"})
    void decode_fluentBitCapture_keepsEachEventTimeWithoutBadTime(String file) throws Exception {
        for (byte[] f : frames(Corpus.bytes(file))) {
            decode(f);
        }
        assertThat(errors).as("no event is counted bad_time").isEmpty();
        assertThat(records).isNotEmpty();
        assertThat(records).allSatisfy(r -> {
            assertThat(r.messageText()).startsWith("fbcap line ");
            // The sender's EventTime (2026), not the receive time NOW (2023).
            assertThat(r.timestamp()).isGreaterThan(NOW).isNotEqualTo(NOW);
            assertThat(r.app()).isEqualTo("fback");
        });
        assertThat(records).extracting(LogRecord::timestamp).isSorted();
    }

    /** The time forms: integer seconds, float seconds, EventTime, and each as [time, {metadata}]. */
    enum Time {
        INTEGER,
        FLOAT,
        EVENT_TIME,
        INTEGER_WITH_METADATA,
        FLOAT_WITH_METADATA,
        EVENT_TIME_WITH_METADATA;

        void write(MessageBufferPacker p) throws IOException {
            boolean meta = name().endsWith("_WITH_METADATA");
            if (meta) {
                p.packArrayHeader(2);
            }
            if (name().startsWith("INTEGER")) {
                p.packLong(T);
            } else if (name().startsWith("FLOAT")) {
                p.packDouble(T + 0.25);
            } else {
                Fwd.eventTime(p, T, 250_000_000);
            }
            if (meta) {
                Fwd.map(p, Map.of("otel_trace_id", "abc123"));
            }
        }

        long expectedNanos() {
            return name().startsWith("INTEGER") ? T * 1_000_000_000L : T * 1_000_000_000L + 250_000_000L;
        }

        boolean metadata() {
            return name().endsWith("_WITH_METADATA");
        }
    }

    private void assertOne(Time time) {
        assertThat(errors).isEmpty();
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.timestamp()).isEqualTo(time.expectedNanos());
            assertThat(r.messageText()).isEqualTo("hello");
            if (time.metadata()) {
                assertThat(r.fields()).containsEntry("metadata.otel_trace_id", "abc123");
            } else {
                assertThat(r.fields()).doesNotContainKey("metadata.otel_trace_id");
            }
        });
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Time.class)
    void decode_messageModeWithOption_everyTimeForm(Time time) throws Exception {
        ForwardDecoder.Decoded d = decode(Fwd.pack(p -> {
            p.packArrayHeader(4).packString("app");
            time.write(p);
            Fwd.map(p, Map.of("message", "hello"));
            p.packMapHeader(1).packString("chunk").packString("c-1");
        }));
        assertOne(time);
        assertThat(ForwardDecoder.text(d.chunk())).isEqualTo("c-1");
        assertThat(ForwardDecoder.chunkOf(Fwd.pack(p -> {
                    p.packArrayHeader(4).packString("app");
                    time.write(p);
                    Fwd.map(p, Map.of("message", "hello"));
                    p.packMapHeader(1).packString("chunk").packString("c-1");
                })))
                .isNotNull();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Time.class)
    void decode_messageModeWithoutOption_everyTimeFormAndNoAck(Time time) throws Exception {
        ForwardDecoder.Decoded d = decode(Fwd.pack(p -> {
            p.packArrayHeader(3).packString("app");
            time.write(p);
            // A record with a key named chunk: not an option, never acknowledged.
            Fwd.map(p, Map.of("message", "hello", "chunk", "not-an-option"));
        }));
        assertThat(errors).isEmpty();
        assertThat(records)
                .singleElement()
                .satisfies(r -> assertThat(r.timestamp()).isEqualTo(time.expectedNanos()));
        assertThat(d.chunk()).isNull();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Time.class)
    void decode_forwardMode_everyTimeForm(Time time) throws Exception {
        decode(Fwd.pack(p -> {
            p.packArrayHeader(3).packString("app");
            p.packArrayHeader(1);
            p.packArrayHeader(2);
            time.write(p);
            Fwd.map(p, Map.of("message", "hello"));
            p.packMapHeader(1).packString("chunk").packString("c-2");
        }));
        assertOne(time);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Time.class)
    void decode_packedForward_everyTimeForm(Time time) throws Exception {
        byte[] entry = Fwd.pack(p -> {
            p.packArrayHeader(2);
            time.write(p);
            Fwd.map(p, Map.of("message", "hello"));
        });
        decode(Fwd.packed("app", entry, "c-3", false));
        assertOne(time);
        records.clear();
        decode(Fwd.packed("app", Fwd.gzip(entry), "c-4", true));
        assertOne(time);
    }

    @Test
    void decode_metadataThatIsNotAMap_isBadTimeAndReceiveTime() throws Exception {
        decode(Fwd.pack(p -> {
            p.packArrayHeader(3).packString("app");
            p.packArrayHeader(1).packArrayHeader(2);
            p.packArrayHeader(2).packLong(T).packString("not a map");
            Fwd.map(p, Map.of("message", "hello"));
            p.packMapHeader(0);
        }));
        assertThat(errors).singleElement().asString().startsWith("bad_time");
        assertThat(records)
                .singleElement()
                .satisfies(r -> assertThat(r.timestamp()).isEqualTo(NOW));
    }
}
