package io.spillway.input.forward;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spillway.input.Embedded;
import io.spillway.record.LogRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/**
 * Coverage-guided fuzzing of the forward input's decoding path: {@link ForwardFrameDecoder} splits a
 * TCP stream into msgpack frames, each of which {@link ForwardDecoder} turns into records, as a
 * connection of {@link ForwardInput} does.
 */
class ForwardFrameDecoderFuzzTest {
    private static final List<String> FRAME_FAILURES = List.of("too_large", "too_deep", "malformed", "truncated");
    private static final List<String> DECODE_ERRORS = List.of("malformed", "too_large", "too_deep", "decompress_error");
    private static final int MAX_ENTRY = 256;
    private static final int MAX_DECOMPRESSED = 4096;

    /**
     * Byte 0 picks max_chunk (64–1084), byte 1 the read size (1–64), the rest is the stream. Frames are
     * consecutive pieces of the stream, each exactly one msgpack object (as msgpack-core reads it) of
     * at most max_chunk bytes; at most max_chunk bytes are held between reads; after a failure of a
     * documented kind nothing more is framed; the shared byte counter returns to zero when the
     * connection ends; nothing stays retained; the split does not matter. Each frame then decodes to
     * bounded records, or fails with a {@link ForwardException} of a documented kind.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void decode_anyStreamAnySplit_framesAreMsgpackObjectsAndRecordsBounded(byte[] data) throws IOException {
        if (data.length < 2) {
            return;
        }
        int maxChunk = 64 + (data[0] & 0xff) * 4;
        int chunk = 1 + (data[1] & 0x3f);
        byte[] stream = Arrays.copyOfRange(data, 2, data.length);
        List<String> failures = new ArrayList<>();
        List<byte[]> frames = split(maxChunk, stream, chunk, failures);
        List<String> wholeFailures = new ArrayList<>();
        List<byte[]> whole = split(maxChunk, stream, Math.max(1, stream.length), wholeFailures);
        assertThat(hex(frames)).isEqualTo(hex(whole));
        assertThat(failures).isEqualTo(wholeFailures);
        assertThat(failures).hasSizeLessThanOrEqualTo(1).isSubsetOf(FRAME_FAILURES);

        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            assertThat(f.length).isBetween(1, maxChunk);
            try (MessageUnpacker u = MessagePack.newDefaultUnpacker(f)) {
                u.skipValue();
                assertThat(u.getTotalReadBytes()).as("one msgpack object").isEqualTo(f.length);
            }
            joined.writeBytes(f);
            decode(f);
        }
        assertThat(Arrays.copyOf(stream, joined.size())).isEqualTo(joined.toByteArray());
    }

    private static List<byte[]> split(int maxChunk, byte[] stream, int chunk, List<String> failures) {
        AtomicLong buffered = new AtomicLong();
        ForwardFrameDecoder decoder =
                new ForwardFrameDecoder(maxChunk, buffered, 1 << 20, (ctx, e) -> failures.add(e.kind()));
        List<byte[]> frames =
                Embedded.frames(decoder, stream, chunk, held -> assertThat(held).isLessThanOrEqualTo(maxChunk));
        assertThat(buffered.get()).as("bytes still counted as held").isZero();
        return frames;
    }

    private static void decode(byte[] frame) {
        ForwardDecoder decoder = new ForwardDecoder(MAX_ENTRY, MAX_DECOMPRESSED, AppTemplate.parse("{{tag}}"));
        List<String> errors = new ArrayList<>();
        List<LogRecord> records = new ArrayList<>();
        ForwardDecoder.Events events = new ForwardDecoder.Events() {
            @Override
            public void batch(List<LogRecord> batch) {
                assertThat(batch).isNotEmpty().hasSizeLessThanOrEqualTo(ForwardDecoder.BATCH);
                records.addAll(batch);
            }

            @Override
            public void error(String kind, String detail) {
                errors.add(kind);
            }
        };
        try {
            ForwardDecoder.Frame f = decoder.decode(frame, "peer", 1L, events);
            if (f instanceof ForwardDecoder.Decoded dec) {
                assertThat(dec.records()).isEqualTo(records.size());
                assertThat(dec.entries()).isGreaterThanOrEqualTo(dec.records());
            }
        } catch (ForwardException e) {
            assertThat(e.kind()).isIn(DECODE_ERRORS);
        }
        assertThat(errors).isSubsetOf("too_large", "malformed", ForwardDecoder.FIELDS_TRUNCATED, "bad_time");
        for (LogRecord r : records) {
            // A record's message comes from one entry: at most max_entry bytes on the wire, or inflated.
            assertThat(r.messageLength()).isLessThanOrEqualTo(Math.max(frame.length, MAX_DECOMPRESSED));
            assertThat(r.fields()).hasSizeLessThanOrEqualTo(ForwardDecoder.MAX_FIELDS);
            assertThat(r.fields().values()).allMatch(v -> v.length() <= ForwardDecoder.MAX_FIELD_VALUE);
            assertThat(r.fields().keySet()).allMatch(k -> k.length() <= ForwardDecoder.MAX_FIELD_KEY);
            assertThat(r.app()).matches("[A-Za-z0-9._-]{1,128}");
        }
    }

    private static List<String> hex(List<byte[]> frames) {
        return frames.stream().map(HexFormat.of()::formatHex).toList();
    }
}
