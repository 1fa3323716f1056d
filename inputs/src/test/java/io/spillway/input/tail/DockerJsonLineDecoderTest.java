package io.spillway.input.tail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.strings;

import io.spillway.Theories;
import io.spillway.input.Corpus;
import io.spillway.record.LogStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class DockerJsonLineDecoderTest {
    private static final int MAX = 256 * 1024;

    private static List<Decoded> decodeAll(DockerJsonLineDecoder d, List<byte[]> lines) {
        List<Decoded> out = new ArrayList<>();
        for (byte[] line : lines) {
            out.add(d.decode(line, 0, line.length));
        }
        return out;
    }

    private static List<TailLine> completed(List<Decoded> decoded) {
        return decoded.stream().filter(x -> x.line() != null).map(Decoded::line).toList();
    }

    @Test
    void decode_corpus_joinsPartialsAndKeepsTextStreamAndTime() {
        var d = new DockerJsonLineDecoder(MAX);
        List<Decoded> decoded = decodeAll(d, Corpus.lines("docker-json-file.log"));
        assertThat(decoded).noneMatch(Decoded::isError);
        List<TailLine> lines = completed(decoded);

        assertThat(lines.get(0).messageText()).isEqualTo("Puma starting in single mode...");
        assertThat(lines.get(0).stream()).isEqualTo(LogStream.STDOUT);
        assertThat(lines.get(0).timeNanos()).isEqualTo(1438138798_123456789L);

        TailLine error = lines.stream()
                .filter(l -> l.stream() == LogStream.STDERR)
                .findFirst()
                .orElseThrow();
        assertThat(error.messageText()).contains("PG::ConnectionBad");

        TailLine joined = lines.stream()
                .filter(l -> l.messageText().startsWith("xxx"))
                .findFirst()
                .orElseThrow();
        assertThat(joined.message().length).isGreaterThan(DockerJsonLineDecoder.DOCKER_PARTIAL_SIZE * 2);
        assertThat(joined.messageText()).doesNotContain("\n");
        assertThat(joined.truncated()).isFalse();
        assertThat(lines.stream().filter(l -> l.messageText().startsWith("xxx")))
                .hasSize(1);

        assertThat(lines).anySatisfy(l -> assertThat(l.messageText()).isEqualTo("café ☃ unicode ok"));

        // the last entry has no "\n" in "log": held until the file is finished
        assertThat(lines.getLast().messageText()).isEqualTo("café ☃ unicode ok");
        assertThat(d.hasPending()).isTrue();
        TailLine last = d.flush();
        assertThat(last).isNotNull();
        assertThat(last.messageText()).isEqualTo("no trailing newline at end of file");
        assertThat(d.hasPending()).isFalse();
        assertThat(d.flush()).isNull();
    }

    @Test
    void decode_joinedLineOverMaxLine_emitsTruncatedOnceAndDropsTheRest() {
        var d = new DockerJsonLineDecoder(20_000);
        List<TailLine> lines = completed(decodeAll(d, Corpus.lines("docker-json-file.log")));
        List<TailLine> x =
                lines.stream().filter(l -> l.messageText().startsWith("xxx")).toList();
        assertThat(x).hasSize(1);
        assertThat(x.getFirst().truncated()).isTrue();
        assertThat(x.getFirst().message()).hasSize(20_000);
        // the line after the cut one is intact
        assertThat(lines).anySatisfy(l -> assertThat(l.messageText()).isEqualTo("café ☃ unicode ok"));
    }

    @Test
    void decode_interleavedStreams_joinsEachStreamApart() {
        var d = new DockerJsonLineDecoder(MAX);
        assertThat(decode(d, "{\"log\":\"a1 \",\"stream\":\"stdout\",\"time\":\"2020-01-01T00:00:00Z\"}"))
                .isEqualTo(Decoded.PENDING);
        Decoded err = decode(d, "{\"log\":\"boom\\n\",\"stream\":\"stderr\",\"time\":\"2020-01-01T00:00:01Z\"}");
        assertThat(err.line().messageText()).isEqualTo("boom");
        Decoded out = decode(d, "{\"log\":\"a2\\n\",\"stream\":\"stdout\",\"time\":\"2020-01-01T00:00:02Z\"}");
        assertThat(out.line().messageText()).isEqualTo("a1 a2");
        assertThat(out.line().timeNanos()).isEqualTo(1577836800_000000000L);
    }

    @Test
    void decode_malformedLines_giveErrorsNotExceptions() {
        var d = new DockerJsonLineDecoder(MAX);
        assertThat(decode(d, "").isError()).isTrue();
        assertThat(decode(d, "not json").isError()).isTrue();
        assertThat(decode(d, "{\"log\":1,\"stream\":\"stdout\",\"time\":\"2020-01-01T00:00:00Z\"}")
                        .error())
                .contains("log");
        assertThat(decode(d, "{\"log\":\"x\\n\",\"stream\":\"tty\",\"time\":\"2020-01-01T00:00:00Z\"}")
                        .error())
                .contains("stream");
        assertThat(decode(d, "{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"yesterday\"}")
                        .error())
                .contains("time");
        assertThat(decode(d, "{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"2020-01-01T00:00:00Z\"} {}")
                        .isError())
                .isTrue();
        assertThat(decode(
                                d,
                                "{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"2020-01-01T00:00:00Z\",\"attrs\":{\"a\":\"b\"}}")
                        .line()
                        .messageText())
                .isEqualTo("x");
    }

    @Test
    void decode_arbitraryBytes_neverThrows() {
        Theories.qt(1000).forAll(Theories.byteArrays(0, 255)).checkAssert(line -> {
            var d = new DockerJsonLineDecoder(64);
            d.decode(line, 0, line.length);
            d.flush();
        });
    }

    @Test
    void decode_arbitraryLogText_roundTripsOrTruncates() {
        Theories.qt(1000)
                .forAll(strings().allPossible().ofLengthBetween(0, 255))
                .checkAssert(DockerJsonLineDecoderTest::roundTripsOrTruncates);
    }

    private static void roundTripsOrTruncates(String text) {
        var d = new DockerJsonLineDecoder(64);
        String json = "{\"log\":" + quote(text + "\n") + ",\"stream\":\"stdout\",\"time\":\"2020-01-01T00:00:00Z\"}";
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        Decoded r = d.decode(b, 0, b.length);
        byte[] expected = text.getBytes(StandardCharsets.UTF_8);
        if (expected.length <= 64) {
            assertThat(r.line().message()).isEqualTo(expected);
        } else {
            assertThat(r.line().truncated()).isTrue();
            assertThat(r.line().message().length).isLessThanOrEqualTo(64);
        }
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private static Decoded decode(DockerJsonLineDecoder d, String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return d.decode(b, 0, b.length);
    }
}
