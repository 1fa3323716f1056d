package io.spillway.input.syslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.input.Corpus;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Hostile bytes against the codec: nothing throws, nothing exceeds its bound. */
class SyslogFuzzTest {
    private static final long RECEIVED = TestClock.nanos("2015-07-29T12:00:00Z");
    private final SyslogDecoder decoder = new SyslogDecoder(TestClock.at("2015-07-29T12:00:00Z"));

    @Property
    void decode_arbitraryBytes_neverThrowsAndStaysBounded(@ForAll @Size(max = 300) byte[] bytes) {
        check(decoder.decode(bytes, "peer", RECEIVED), bytes.length);
    }

    @Property
    void decode_syslogLookingBytes_neverThrowsAndStaysBounded(@ForAll("syslogish") byte[] bytes) {
        check(decoder.decode(bytes, "peer", RECEIVED), bytes.length);
    }

    @Property
    void decode_mutatedCorpusLine_neverThrowsAndStaysBounded(@ForAll("mutatedCorpus") byte[] bytes) {
        check(decoder.decode(bytes, "peer", RECEIVED), bytes.length);
    }

    @Property
    void decode_subrange_neverReadsOutside(
            @ForAll("mutatedCorpus") byte[] bytes,
            @ForAll @IntRange(max = 400) int a,
            @ForAll @IntRange(max = 400) int b) {
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

    @Property(tries = 300)
    void frameDecoder_arbitraryStreamInArbitraryChunks_neverThrowsAndNoFrameAboveMax(
            @ForAll("streams") byte[] stream, @ForAll @IntRange(min = 1, max = 64) int chunk) {
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

    @Property(tries = 200)
    void frameDecoder_sameStreamSplitDifferently_sameFrames(
            @ForAll("streams") byte[] stream, @ForAll @IntRange(min = 1, max = 17) int chunk) {
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
    @Provide
    Arbitrary<byte[]> syslogish() {
        Arbitrary<String> piece = Arbitraries.of(
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
                "é");
        return piece.list()
                .ofMaxSize(40)
                .map(l -> String.join("", l).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<byte[]> mutatedCorpus() {
        List<byte[]> lines = new ArrayList<>(Corpus.lines("syslog-rfc5424.log"));
        lines.addAll(Corpus.lines("syslog-rfc3164.log"));
        return Combinators.combine(
                        Arbitraries.of(lines),
                        Arbitraries.integers().between(0, 1000).list().ofMaxSize(6),
                        Arbitraries.bytes().list().ofMinSize(6).ofMaxSize(6),
                        Arbitraries.integers().between(0, 1000))
                .as((line, positions, values, cut) -> {
                    byte[] b = line.clone();
                    for (int i = 0; i < positions.size(); i++) {
                        b[positions.get(i) % b.length] = values.get(i);
                    }
                    return java.util.Arrays.copyOf(b, Math.min(b.length, cut % (b.length + 1)));
                });
    }

    /** Streams mixing length prefixes, delimiters and corpus bytes. */
    @Provide
    Arbitrary<byte[]> streams() {
        byte[] corpus = Corpus.bytes("syslog-octet-counted.bin");
        Arbitrary<byte[]> piece = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(100),
                Arbitraries.of("\n", "\r\n", "\0", "1 ", "63 ", "64 ", "65 ", "99999999999 ", "123x", "9")
                        .map(s -> s.getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                Arbitraries.integers()
                        .between(0, corpus.length)
                        .map(i -> java.util.Arrays.copyOfRange(corpus, i, Math.min(corpus.length, i + 80))));
        return piece.list().ofMaxSize(30).map(list -> {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            list.forEach(out::writeBytes);
            return out.toByteArray();
        });
    }
}
