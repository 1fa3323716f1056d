package io.spillway.input.syslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.input.Corpus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyslogFrameDecoderTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> texts(List<byte[]> frames) {
        return frames.stream().map(Corpus::text).toList();
    }

    @Test
    void decode_octetCountedCorpus_yieldsTheRfc5424Lines() {
        Frames f = new Frames(64 * 1024).write(Corpus.bytes("syslog-octet-counted.bin"));
        List<byte[]> frames = f.read();
        assertThat(texts(frames)).containsExactlyElementsOf(texts(Corpus.lines("syslog-rfc5424.log")));
        assertThat(f.errors).isEmpty();
        assertThat(f.finish()).isEmpty();
    }

    @Test
    void decode_corpusSplitAtEveryByte_sameFrames() {
        for (String name : List.of("syslog-octet-counted.bin", "syslog-rfc5424.log", "syslog-rfc3164.log")) {
            byte[] all = Corpus.bytes(name);
            Frames whole = new Frames(64 * 1024).write(all);
            List<String> expected = new ArrayList<>(texts(whole.read()));
            expected.addAll(texts(whole.finish()));
            assertThat(expected).isNotEmpty();
            for (int split = 0; split <= all.length; split++) {
                Frames f = new Frames(64 * 1024).write(all, 0, split).write(all, split, all.length);
                List<String> got = new ArrayList<>(texts(f.read()));
                got.addAll(texts(f.finish()));
                assertThat(got).as(name + " split at " + split).isEqualTo(expected);
                assertThat(f.errors).isEmpty();
            }
            Frames oneByOne = new Frames(64 * 1024);
            for (int i = 0; i < all.length; i++) {
                oneByOne.write(all, i, i + 1);
            }
            List<String> got = new ArrayList<>(texts(oneByOne.read()));
            got.addAll(texts(oneByOne.finish()));
            assertThat(got).as(name + " byte by byte").isEqualTo(expected);
        }
    }

    @Test
    void decode_lfCrlfAndNulDelimiters_allSplitAndEmptyLinesSkipped() {
        Frames f = new Frames(1024).write(bytes("<13>a\n<13>b\r\n<13>c\0\n\r\n<13>d\n"));
        assertThat(texts(f.read())).containsExactly("<13>a", "<13>b", "<13>c", "<13>d");
        assertThat(f.errors).isEmpty();
    }

    @Test
    void decode_lastLineWithoutDelimiterAtClose_emitted() {
        Frames f = new Frames(1024).write(bytes("<13>a\n<13>tail\r"));
        assertThat(texts(f.read())).containsExactly("<13>a");
        assertThat(texts(f.finish())).containsExactly("<13>tail");
    }

    @Test
    void decode_octetCountedAndLfMixed_eachFrameByItsFirstByte() {
        Frames f = new Frames(1024).write(bytes("5 hello<13>lf line\n3 abc\n2 xy"));
        assertThat(texts(f.read())).containsExactly("hello", "<13>lf line", "abc", "xy");
        assertThat(f.errors).isEmpty();
    }

    @Test
    void decode_octetCountIncludingTrailingLf_lfKeptInFrameForTheDecoderToTrim() {
        Frames f = new Frames(1024).write(bytes("6 hello\n5 world"));
        assertThat(texts(f.read())).containsExactly("hello\n", "world");
    }

    @Test
    void decode_lineAtExactlyMaxFrame_notTruncated() {
        byte[] line = new byte[1024];
        Arrays.fill(line, (byte) 'a');
        Frames f = new Frames(1024).write(line).write(bytes("\r\n"));
        assertThat(f.read()).singleElement().satisfies(b -> assertThat(b).hasSize(1024));
        assertThat(f.errors).isEmpty();
    }

    @Test
    void decode_tenMegabyteLineWithoutNewline_truncatedDiscardedUnbufferedThenNextLine() {
        int maxFrame = 1024;
        Frames f = new Frames(maxFrame);
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        for (int i = 0; i < 160; i++) { // 10 MiB
            f.write(chunk);
            assertThat(f.decoder.buffered()).isLessThanOrEqualTo(maxFrame + 1);
        }
        f.write(bytes("xxx\n<13>good line\n"));
        List<byte[]> frames = f.read();
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0)).hasSize(maxFrame);
        assertThat(Corpus.text(frames.get(1))).isEqualTo("<13>good line");
        assertThat(f.errors).containsExactly("frame_truncated");
    }

    @Test
    void decode_octetCountAboveMaxFrame_frameCutRemainderSkippedAsItArrives() {
        int maxFrame = 1024;
        Frames f = new Frames(maxFrame).write(bytes("9999999999 "));
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'y');
        f.write(chunk);
        assertThat(f.read()).singleElement().satisfies(b -> assertThat(b).hasSize(maxFrame));
        assertThat(f.errors).containsExactly("frame_truncated");
        for (int i = 0; i < 10; i++) {
            f.write(chunk);
            assertThat(f.decoder.buffered()).isLessThanOrEqualTo(maxFrame);
        }
        assertThat(f.read()).isEmpty();

        Frames small = new Frames(maxFrame).write(bytes("1030 "));
        byte[] body = new byte[1030];
        Arrays.fill(body, (byte) 'z');
        small.write(body).write(bytes("4 next"));
        List<byte[]> frames = small.read();
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0)).hasSize(maxFrame);
        assertThat(Corpus.text(frames.get(1))).isEqualTo("next");
    }

    @Test
    void decode_lengthPrefixOfElevenDigits_framingErrorReadAsLine() {
        Frames f = new Frames(1024).write(bytes("12345678901 abc\n5 hello"));
        assertThat(texts(f.read())).containsExactly("12345678901 abc", "hello");
        assertThat(f.errors).containsExactly("framing_error");
    }

    @Test
    void decode_digitsNotFollowedBySpace_framingErrorReadAsLine() {
        Frames f = new Frames(1024).write(bytes("2015-07-29 started\n"));
        assertThat(texts(f.read())).containsExactly("2015-07-29 started");
        assertThat(f.errors).containsExactly("framing_error");
    }

    @Test
    void decode_connectionClosedInsideOctetFrame_partialEmittedAndCounted() {
        Frames f = new Frames(1024).write(bytes("20 only ten b"));
        assertThat(f.read()).isEmpty();
        assertThat(texts(f.finish())).containsExactly("only ten b");
        assertThat(f.errors).containsExactly("frame_incomplete");
    }

    @Test
    void decode_unfinishedLengthPrefix_waitsWithoutEmitting() {
        Frames f = new Frames(1024).write(bytes("1"));
        assertThat(f.read()).isEmpty();
        f.write(bytes("9 <13>1 - h a - - - m"));
        assertThat(texts(f.read())).containsExactly("<13>1 - h a - - - m");
    }

    @Test
    void constructor_maxFrameBelowOne_rejected() {
        assertThatThrownBy(() -> new SyslogFrameDecoder(0, k -> {})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decodeLast_unterminatedLineWithTrailingDigits_cutToMaxFrame() {
        // Found by SyslogFuzzTest (seed -6569226326140127568): 63 bytes, then "1 " held back as a
        // possible length prefix, emitted whole at end of stream as 65 bytes.
        Frames f = new Frames(64);
        byte[] stream = new byte[65];
        Arrays.fill(stream, (byte) 1);
        stream[63] = '1';
        stream[64] = ' ';
        f.write(stream, 0, stream.length);
        List<byte[]> frames = new ArrayList<>(f.read());
        frames.addAll(f.finish());
        assertThat(frames).allSatisfy(fr -> assertThat(fr.length).isBetween(1, 64));
        assertThat(f.errors).contains("frame_truncated");
    }
}
