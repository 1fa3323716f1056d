package io.spillway.input.syslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.spillway.FakeClock;
import io.spillway.Theories;
import io.spillway.input.Corpus;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** Hostile bytes against the codec: nothing throws, nothing exceeds its bound. */
class SyslogFuzzTest {
    private static final long RECEIVED = FakeClock.epochNanos("2015-07-29T12:00:00Z");
    private final SyslogDecoder decoder = new SyslogDecoder(FakeClock.at("2015-07-29T12:00:00Z"));

    @Test
    void decode_arbitraryBytes_neverThrowsAndStaysBounded() {
        Theories.qt(1000)
                .forAll(Theories.byteArrays(0, 300))
                .checkAssert(bytes -> check(decoder.decode(bytes, "peer", RECEIVED), bytes.length));
    }

    @Test
    void decode_syslogLookingBytes_neverThrowsAndStaysBounded() {
        Theories.qt(1000)
                .forAll(syslogish())
                .checkAssert(bytes -> check(decoder.decode(bytes, "peer", RECEIVED), bytes.length));
    }

    @Test
    void decode_mutatedCorpusLine_neverThrowsAndStaysBounded() {
        Theories.qt(1000)
                .forAll(mutatedCorpus())
                .checkAssert(bytes -> check(decoder.decode(bytes, "peer", RECEIVED), bytes.length));
    }

    @Test
    void decode_subrange_neverReadsOutside() {
        Theories.qt(1000)
                .forAll(mutatedCorpus(), integers().between(0, 400), integers().between(0, 400))
                .checkAssert(this::subrangeDecodesAlone);
    }

    private void subrangeDecodesAlone(byte[] bytes, int a, int b) {
        int from = Math.min(a, bytes.length);
        int to = Math.max(from, Math.min(b, bytes.length));
        // Poison what lies outside the range: a parser reading there would see a closing quote or SP.
        byte[] copy = bytes.clone();
        for (int i = 0; i < copy.length; i++) {
            if (i < from || i >= to) {
                copy[i] = (byte) (i % 2 == 0 ? '"' : ']');
            }
        }
        LogRecord r = decoder.decode(copy, from, to - from, "peer", RECEIVED);
        LogRecord alone = decoder.decode(java.util.Arrays.copyOfRange(bytes, from, to), "peer", RECEIVED);
        assertThat(r).isEqualTo(alone);
    }

    @Test
    void frameDecoder_arbitraryStreamInArbitraryChunks_neverThrowsAndNoFrameAboveMax() {
        Theories.qt(300).forAll(streams(), integers().between(1, 64)).checkAssert(SyslogFuzzTest::noFrameAboveMax);
    }

    private static void noFrameAboveMax(byte[] stream, int chunk) {
        int maxFrame = 64;
        Frames f = new Frames(maxFrame);
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < stream.length; i += chunk) {
            f.write(stream, i, Math.min(stream.length, i + chunk));
            frames.addAll(f.read());
            assertThat(f.decoder.buffered()).isLessThanOrEqualTo(maxFrame + SyslogFrameDecoder.MAX_LENGTH_DIGITS + 1);
        }
        frames.addAll(f.finish());
        assertThat(frames).allSatisfy(fr -> assertThat(fr.length).isBetween(1, maxFrame));
        assertThat(f.errors).isSubsetOf("frame_truncated", "framing_error", "frame_incomplete");
    }

    @Test
    void frameDecoder_sameStreamSplitDifferently_sameFrames() {
        Theories.qt(200)
                .forAll(streams(), integers().between(1, 17))
                .checkAssert(SyslogFuzzTest::sameFramesWhateverTheSplit);
    }

    private static void sameFramesWhateverTheSplit(byte[] stream, int chunk) {
        Frames whole = new Frames(64).write(stream);
        List<String> expected =
                new ArrayList<>(whole.read().stream().map(Corpus::text).toList());
        expected.addAll(whole.finish().stream().map(Corpus::text).toList());
        Frames split = new Frames(64);
        for (int i = 0; i < stream.length; i += chunk) {
            split.write(stream, i, Math.min(stream.length, i + chunk));
        }
        List<String> got =
                new ArrayList<>(split.read().stream().map(Corpus::text).toList());
        got.addAll(split.finish().stream().map(Corpus::text).toList());
        assertThat(got).isEqualTo(expected);
        assertThat(split.errors).isEqualTo(whole.errors);
    }

    private static void check(LogRecord r, int inputLength) {
        assertThat(r.messageLength()).isLessThanOrEqualTo(inputLength);
        assertThat(r.fields()).hasSizeLessThanOrEqualTo(SyslogDecoder.MAX_FIELDS);
        assertThat(r.fields().values()).allMatch(v -> v.length() <= SyslogDecoder.MAX_FIELD_VALUE);
        assertThat(r.app()).matches("[A-Za-z0-9._-]{1," + AppNames.MAX_LENGTH + "}");
        assertThat(r.host()).isNotNull();
    }

    /** Bytes built from syslog's own alphabet, so the parsers get deep rather than failing at PRI. */
    static Gen<byte[]> syslogish() {
        Gen<String> piece = Generate.pick(List.of(
                "<",
                ">",
                "<13>",
                "<165>1 ",
                "1 ",
                " ",
                "-",
                "[",
                "]",
                "\"",
                "\\",
                "=",
                "@",
                "x@1",
                "k=\"v\"",
                "2015-07-29T03:00:00Z",
                "2015-07-29T03:00:00.123456+02:00",
                "Jul",
                "Jul 29 03:00:00 ",
                "Feb 29 ",
                "docker/",
                "app",
                "[123]",
                ":",
                "\n",
                "\r",
                "\0",
                "\u00ef\u00bb\u00bf",
                "\uFEFF",
                "9",
                "é"));
        return lists().of(piece)
                .ofSizeBetween(0, 40)
                .map(l -> String.join("", l).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .describedAs(Arrays::toString);
    }

    /** A corpus line with up to 6 bytes overwritten, then cut short. */
    static Gen<byte[]> mutatedCorpus() {
        List<byte[]> lines = new ArrayList<>(Corpus.lines("syslog-rfc5424.log"));
        lines.addAll(Corpus.lines("syslog-rfc3164.log"));
        Gen<byte[]> line = Generate.pick(lines);
        Gen<List<Integer>> positions = lists().of(integers().between(0, 1000)).ofSizeBetween(0, 6);
        Gen<List<Byte>> values = lists().of(Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0))
                .ofSize(6);
        Gen<Integer> cuts = integers().between(0, 1000);
        return line.zip(positions, values, cuts, (l, at, v, cut) -> {
                    byte[] b = l.clone();
                    for (int i = 0; i < at.size(); i++) {
                        b[at.get(i) % b.length] = v.get(i);
                    }
                    return java.util.Arrays.copyOf(b, Math.min(b.length, cut % (b.length + 1)));
                })
                .describedAs(Arrays::toString);
    }

    /** Streams mixing length prefixes, delimiters and corpus bytes. */
    static Gen<byte[]> streams() {
        byte[] corpus = Corpus.bytes("syslog-octet-counted.bin");
        Gen<byte[]> piece = Generate.oneOf(
                Theories.byteArrays(0, 100),
                Generate.pick(List.of("\n", "\r\n", "\0", "1 ", "63 ", "64 ", "65 ", "99999999999 ", "123x", "9"))
                        .map(s -> s.getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                integers()
                        .between(0, corpus.length)
                        .map(i -> java.util.Arrays.copyOfRange(corpus, i, Math.min(corpus.length, i + 80))));
        return lists().of(piece)
                .ofSizeBetween(0, 30)
                .map(list -> {
                    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                    list.forEach(out::writeBytes);
                    return out.toByteArray();
                })
                .describedAs(Arrays::toString);
    }
}
