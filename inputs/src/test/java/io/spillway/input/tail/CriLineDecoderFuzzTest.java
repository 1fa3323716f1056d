package io.spillway.input.tail;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Timeout;

/** Coverage-guided fuzzing of {@link CriLineDecoder} (the CRI log format of containerd and CRI-O). */
class CriLineDecoderFuzzTest {
    private static final DateTimeFormatter RFC3339_NANO = DateTimeFormatter.ofPattern(
                    "uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX", Locale.ROOT)
            .withZone(java.time.ZoneOffset.UTC);

    /**
     * Byte 0 picks max_line (1–256), the rest is a log file. Never throws, reads nothing outside its
     * line; no line is longer than max_line; flushing empties the joiner.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void decode_anyFile_linesBoundedNeverThrows(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int maxLine = 1 + (data[0] & 0xff);
        CriLineDecoder decoder = new CriLineDecoder(maxLine);
        TailLines.decodeFile(
                Arrays.copyOfRange(data, 1, data.length),
                maxLine,
                decoder::decode,
                decoder::flush,
                decoder::hasPending);
    }

    /**
     * Messages of any bytes but LF, cut into {@code P} entries and a final {@code F} (with extra tags
     * after a colon sometimes): each comes back byte for byte with its first entry's time, or cut to
     * max_line and flagged truncated.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void decode_partialEntries_joinedExactly(FuzzedDataProvider d) {
        int maxLine = d.consumeInt(1, 400);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        List<String> expected = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        int n = d.consumeInt(0, 8);
        for (int i = 0; i < n; i++) {
            byte[] message = d.consumeBytes(d.consumeInt(0, 300));
            for (int k = 0; k < message.length; k++) {
                if (message[k] == '\n') {
                    message[k] = ' ';
                }
            }
            String stream = d.consumeBoolean() ? "stdout" : "stderr";
            long nanos = d.consumeLong(0, 4_000_000_000L * 1_000_000_000L);
            int at = 0;
            int part = 0;
            do {
                int take = d.consumeInt(0, 100);
                int end = take == 0 ? message.length : Math.min(message.length, at + take);
                boolean last = end == message.length;
                String tags = (last ? "F" : "P") + (d.consumeBoolean() ? ":x" : "");
                file.writeBytes(
                        (RFC3339_NANO.format(Instant.ofEpochSecond(0, nanos + part)) + " " + stream + " " + tags + " ")
                                .getBytes(StandardCharsets.US_ASCII));
                file.write(message, at, end - at);
                file.write('\n');
                at = end;
                part++;
            } while (at < message.length);
            byte[] want = message.length <= maxLine
                    ? message
                    : PartialJoiner.cutToCharBoundary(Arrays.copyOf(message, maxLine));
            expected.add(HexFormat.of().formatHex(want));
            times.add(nanos);
        }
        CriLineDecoder decoder = new CriLineDecoder(maxLine);
        List<TailLine> lines =
                TailLines.decodeFile(file.toByteArray(), maxLine, decoder::decode, decoder::flush, decoder::hasPending);
        assertThat(lines.stream()
                        .map(t -> HexFormat.of().formatHex(t.message()))
                        .toList())
                .isEqualTo(expected);
        assertThat(lines.stream().map(TailLine::timeNanos).toList()).isEqualTo(times);
    }
}
