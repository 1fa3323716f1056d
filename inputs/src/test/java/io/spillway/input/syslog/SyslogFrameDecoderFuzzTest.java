package io.spillway.input.syslog;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spillway.input.Embedded;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link SyslogFrameDecoder} (RFC 6587 octet counting and non-transparent
 * framing, mixed). Seeds in {@code SyslogFrameDecoderFuzzTestInputs/<method>/}; see docs/testing.md.
 */
class SyslogFrameDecoderFuzzTest {
    private static final List<String> KINDS = List.of("frame_truncated", "framing_error", "frame_incomplete");

    /**
     * Any stream: byte 0 picks max_frame (1–128), byte 1 the read size (1–64), the rest is the stream.
     * No frame is empty or longer than max_frame, at most max_frame + a length prefix is held between
     * reads, nothing stays retained, errors are of the documented kinds, and the frames do not depend
     * on how the stream was split into reads.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void decode_anyStreamAnySplit_boundedAndSplitInvariant(byte[] data) {
        if (data.length < 2) {
            return;
        }
        int maxFrame = 1 + (data[0] & 0x7f);
        int chunk = 1 + (data[1] & 0x3f);
        byte[] stream = Arrays.copyOfRange(data, 2, data.length);
        List<String> wholeErrors = new ArrayList<>();
        List<byte[]> whole = run(maxFrame, stream, Math.max(1, stream.length), wholeErrors);
        List<String> splitErrors = new ArrayList<>();
        List<byte[]> split = run(maxFrame, stream, chunk, splitErrors);
        for (byte[] f : split) {
            assertThat(f.length).isBetween(1, maxFrame);
        }
        assertThat(splitErrors).isSubsetOf(KINDS);
        assertThat(texts(split)).isEqualTo(texts(whole));
        assertThat(splitErrors).isEqualTo(wholeErrors);
    }

    /**
     * Octet counting round-trips: messages of any bytes (LF and NUL included) framed as {@code LEN SP
     * MSG} come out exactly as they went in, however the stream is split, without errors; a message
     * longer than max_frame comes out cut to max_frame, with {@code frame_truncated}, and does not
     * disturb the next one.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void decode_octetCountedMessages_roundTrip(FuzzedDataProvider d) {
        int maxFrame = d.consumeInt(1, 200);
        int chunk = d.consumeInt(1, 64);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<String> expected = new ArrayList<>();
        int truncated = 0;
        int n = d.consumeInt(0, 20);
        for (int i = 0; i < n; i++) {
            byte[] m = d.consumeBytes(d.consumeInt(1, 300));
            if (m.length == 0) {
                break;
            }
            stream.writeBytes((m.length + " ").getBytes(StandardCharsets.US_ASCII));
            stream.writeBytes(m);
            if (m.length > maxFrame) {
                truncated++;
                m = Arrays.copyOf(m, maxFrame);
            }
            expected.add(hex(m));
        }
        List<String> errors = new ArrayList<>();
        List<byte[]> frames = run(maxFrame, stream.toByteArray(), chunk, errors);
        assertThat(texts(frames)).isEqualTo(expected);
        assertThat(errors).hasSize(truncated).allMatch("frame_truncated"::equals);
    }

    private static List<byte[]> run(int maxFrame, byte[] stream, int chunk, List<String> errors) {
        SyslogFrameDecoder decoder = new SyslogFrameDecoder(maxFrame, errors::add);
        return Embedded.frames(
                decoder,
                stream,
                chunk,
                held -> assertThat(held).isLessThanOrEqualTo(maxFrame + 1 + SyslogFrameDecoder.MAX_LENGTH_DIGITS + 1));
    }

    private static List<String> texts(List<byte[]> frames) {
        return frames.stream().map(SyslogFrameDecoderFuzzTest::hex).toList();
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
