package io.spillway.input.tail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.strings;

import io.spillway.Theories;
import io.spillway.input.Corpus;
import io.spillway.record.LogStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CriLineDecoderTest {
    @Test
    void decode_corpus_joinsPartialKeepsStderrAndOffsets() {
        var d = new CriLineDecoder(256 * 1024);
        List<TailLine> lines = new ArrayList<>();
        for (byte[] line : Corpus.lines("cri.log")) {
            Decoded r = d.decode(line, 0, line.length);
            assertThat(r.isError()).as(r.error()).isFalse();
            if (r.line() != null) {
                lines.add(r.line());
            }
        }
        assertThat(lines)
                .extracting(TailLine::messageText)
                .containsExactly(
                        "Puma starting in single mode...",
                        "first half of a long line, second half of a long line",
                        "E, [2015-07-29T03:00:02.000000 #1] ERROR -- : boom",
                        "offset timestamp");
        // the joined line keeps the time of its first part
        assertThat(lines.get(1).timeNanos()).isEqualTo(1438138801_000000001L);
        assertThat(lines.get(2).stream()).isEqualTo(LogStream.STDERR);
        // 03:00:03+02:00 is 01:00:03Z
        assertThat(lines.get(3).timeNanos()).isEqualTo(1438131603_000000000L);
        assertThat(d.hasPending()).isFalse();
    }

    @Test
    void decode_emptyMessageAndExtraTags_areAccepted() {
        var d = new CriLineDecoder(1024);
        assertThat(decode(d, "2020-01-01T00:00:00Z stdout F").line().message()).isEmpty();
        assertThat(decode(d, "2020-01-01T00:00:00Z stdout F ").line().message()).isEmpty();
        assertThat(decode(d, "2020-01-01T00:00:00Z stdout F:x hello world")
                        .line()
                        .messageText())
                .isEqualTo("hello world");
    }

    @Test
    void decode_partialsOverMaxLine_emitTruncatedAtUtf8Boundary() {
        var d = new CriLineDecoder(10);
        assertThat(decode(d, "2020-01-01T00:00:00Z stdout P 12345678")).isEqualTo(Decoded.PENDING);
        Decoded cut = decode(d, "2020-01-01T00:00:00Z stdout P 9☃☃");
        assertThat(cut.line().truncated()).isTrue();
        assertThat(cut.line().messageText()).isEqualTo("123456789");
        assertThat(decode(d, "2020-01-01T00:00:00Z stdout P more")).isEqualTo(Decoded.PENDING);
        assertThat(decode(d, "2020-01-01T00:00:00Z stdout F end")).isEqualTo(Decoded.PENDING);
        assertThat(decode(d, "2020-01-01T00:00:00Z stdout F next").line().messageText())
                .isEqualTo("next");
    }

    @Test
    void decode_malformed_givesErrors() {
        var d = new CriLineDecoder(1024);
        assertThat(decode(d, "").isError()).isTrue();
        assertThat(decode(d, "hello").isError()).isTrue();
        assertThat(decode(d, "2020-01-01T00:00:00Z tty F x").error()).contains("stream");
        assertThat(decode(d, "2020-01-01T00:00:00Z stdout X x").error()).contains("tag");
        assertThat(decode(d, "2020-13-01T00:00:00Z stdout F x").error()).contains("timestamp");
    }

    @Test
    void decode_arbitraryBytes_neverThrows() {
        Theories.qt(1000).forAll(Theories.byteArrays(0, 255)).checkAssert(line -> {
            var d = new CriLineDecoder(16);
            d.decode(line, 0, line.length);
            d.flush();
        });
    }

    @Test
    void decode_arbitraryTail_neverThrows() {
        Theories.qt(1000)
                .forAll(strings().allPossible().ofLengthBetween(0, 255))
                .checkAssert(rest -> {
                    var d = new CriLineDecoder(16);
                    decode(d, "2020-01-01T00:00:00Z stdout " + rest);
                    d.flush();
                });
    }

    private static Decoded decode(CriLineDecoder d, String line) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return d.decode(b, 0, b.length);
    }
}
