package io.spillway.input.gelf;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spillway.input.Embedded;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/** Coverage-guided fuzzing of {@link GelfFrameDecoder} (GELF TCP: NUL-delimited frames). */
class GelfFrameDecoderFuzzTest {
    /**
     * Byte 0 picks max_message (1–128), byte 1 the read size (1–64), the rest is the stream. Frames are
     * 1 to max bytes without a NUL, exactly the non-empty NUL-separated pieces of at most max bytes (a
     * longer piece is dropped with one {@code too_large}, a last piece without NUL is not a frame), at
     * most max bytes are held between reads, nothing stays retained, and the split does not matter.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void decode_anyStreamAnySplit_exactlyTheBoundedPieces(byte[] data) {
        if (data.length < 2) {
            return;
        }
        int max = 1 + (data[0] & 0x7f);
        int chunk = 1 + (data[1] & 0x3f);
        byte[] stream = Arrays.copyOfRange(data, 2, data.length);
        List<String> errors = new ArrayList<>();
        List<byte[]> frames = Embedded.frames(
                new GelfFrameDecoder(max, errors::add),
                stream,
                chunk,
                held -> assertThat(held).isLessThanOrEqualTo(max));
        // The model: split at every NUL; the piece after the last NUL never completes.
        List<String> expected = new ArrayList<>();
        int tooLarge = 0;
        int start = 0;
        for (int i = 0; i < stream.length; i++) {
            if (stream[i] == 0) {
                int len = i - start;
                if (len > max) {
                    tooLarge++;
                } else if (len > 0) {
                    expected.add(HexFormat.of().formatHex(stream, start, i));
                }
                start = i + 1;
            }
        }
        assertThat(frames.stream().map(HexFormat.of()::formatHex).toList()).isEqualTo(expected);
        assertThat(errors).allMatch("too_large"::equals);
        // One report per oversize piece; the unterminated tail may add one more.
        assertThat(errors.size()).isBetween(tooLarge, tooLarge + 1);
    }
}
