package io.spillway.input.tail;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.spillway.record.LogStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Timeout;

/** Coverage-guided fuzzing of {@link DockerJsonLineDecoder} (Docker's json-file log driver). */
class DockerJsonLineDecoderFuzzTest {
    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter RFC3339_NANO = DateTimeFormatter.ofPattern(
                    "uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSSX", Locale.ROOT)
            .withZone(java.time.ZoneOffset.UTC);

    /**
     * Byte 0 picks max_line (1–256), the rest is a log file. Never throws; each file line is a line, a
     * pending partial or an error; no line is longer than max_line; flushing empties the joiner.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void decode_anyFile_linesBoundedNeverThrows(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int maxLine = 1 + (data[0] & 0xff);
        DockerJsonLineDecoder decoder = new DockerJsonLineDecoder(maxLine);
        TailLines.decodeFile(
                Arrays.copyOfRange(data, 1, data.length),
                maxLine,
                decoder::decode,
                decoder::flush,
                decoder::hasPending);
    }

    /**
     * Messages of any text, cut into partial entries the way the daemon does (no trailing newline but
     * on the last) on interleaved stdout and stderr, written by a JSON library: each comes back whole,
     * with its first entry's time; or, past max_line, cut to at most max_line bytes on a character
     * boundary and flagged truncated.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void decode_partialEntriesOnTwoStreams_joinedExactly(FuzzedDataProvider d) throws IOException {
        int maxLine = d.consumeInt(1, 400);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        List<byte[]> expected = new ArrayList<>();
        List<Boolean> expectedTruncated = new ArrayList<>();
        List<Long> expectedTimes = new ArrayList<>();
        int n = d.consumeInt(0, 8);
        for (int i = 0; i < n; i++) {
            String message = new String(d.consumeString(200).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)
                    .replace("\n", "");
            // Two messages at once, one per stream, their parts interleaved.
            LogStream stream = d.consumeBoolean() ? LogStream.STDOUT : LogStream.STDERR;
            long nanos = d.consumeLong(0, 4_000_000_000L * 1_000_000_000L);
            List<String> parts = cut(message, d);
            for (int p = 0; p < parts.size(); p++) {
                boolean last = p == parts.size() - 1;
                entry(file, parts.get(p) + (last ? "\n" : ""), stream, p == 0 ? nanos : nanos + p);
            }
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            expectedTimes.add(nanos);
            if (bytes.length <= maxLine) {
                expected.add(bytes);
                expectedTruncated.add(false);
            } else {
                expected.add(PartialJoiner.cutToCharBoundary(Arrays.copyOf(bytes, maxLine)));
                expectedTruncated.add(true);
            }
        }
        DockerJsonLineDecoder decoder = new DockerJsonLineDecoder(maxLine);
        List<TailLine> lines =
                TailLines.decodeFile(file.toByteArray(), maxLine, decoder::decode, decoder::flush, decoder::hasPending);
        assertThat(lines.stream()
                        .map(t -> new String(t.message(), StandardCharsets.UTF_8))
                        .toList())
                .isEqualTo(expected.stream()
                        .map(b -> new String(b, StandardCharsets.UTF_8))
                        .toList());
        assertThat(lines.stream().map(TailLine::truncated).toList()).isEqualTo(expectedTruncated);
        assertThat(lines.stream().map(TailLine::timeNanos).toList()).isEqualTo(expectedTimes);
    }

    /** Cuts a message into 1 or more parts at code point boundaries. */
    static List<String> cut(String s, FuzzedDataProvider d) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (true) {
            int take = d.consumeInt(0, 64);
            int end = i;
            for (int k = 0; k < take && end < s.length(); k++) {
                end = s.offsetByCodePoints(end, 1);
            }
            if (end >= s.length() || take == 0) {
                parts.add(s.substring(i));
                return parts;
            }
            parts.add(s.substring(i, end));
            i = end;
        }
    }

    private static void entry(ByteArrayOutputStream file, String log, LogStream stream, long nanos) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(file)) {
            g.writeStartObject();
            g.writeStringField("log", log);
            g.writeStringField("stream", stream == LogStream.STDOUT ? "stdout" : "stderr");
            g.writeStringField("time", RFC3339_NANO.format(Instant.ofEpochSecond(0, nanos)));
            g.writeEndObject();
        }
        file.write('\n');
    }
}
