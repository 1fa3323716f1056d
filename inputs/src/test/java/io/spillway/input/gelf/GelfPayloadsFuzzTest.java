package io.spillway.input.gelf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link GelfPayloads} (plain, gzip and zlib, bounded inflation) and of the
 * {@link GelfDecoder} behind it, as a GELF input runs them on every datagram and frame.
 */
class GelfPayloadsFuzzTest {
    private static final int MAX = 4096;
    private final GelfDecoder decoder = new GelfDecoder("_container_name");

    /**
     * Any payload: decompression yields at most max_message bytes or fails with {@link GelfException}
     * of kind {@code too_large} or {@code decompress_error}; decoding the result yields a bounded
     * record or fails with {@code parse_error}. Nothing else is thrown, and the JUnit timeout catches
     * an inflater that spins.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void decompressAndDecode_anyPayload_boundedOrTypedError(byte[] data) {
        byte[] plain;
        try {
            plain = GelfPayloads.decompress(data, MAX);
        } catch (GelfException e) {
            assertThat(e.kind()).isIn("too_large", "decompress_error");
            return;
        }
        assertThat(plain.length).isLessThanOrEqualTo(MAX);
        LogRecord r;
        try {
            r = decoder.decode(plain, "peer", 1L);
        } catch (GelfException e) {
            assertThat(e.kind()).isEqualTo("parse_error");
            return;
        }
        assertThat(r.messageLength()).isLessThanOrEqualTo(plain.length);
        assertThat(r.fields()).hasSizeLessThanOrEqualTo(GelfDecoder.MAX_FIELDS);
        assertThat(r.fields().values()).allMatch(v -> v.length() <= GelfDecoder.MAX_FIELD_VALUE);
        assertThat(r.app()).matches("[A-Za-z0-9._-]{1," + AppNames.MAX_LENGTH + "}");
    }

    /**
     * Any bytes compressed with gzip or zlib (at a fuzzed level, possibly with a gzip file name)
     * inflate back to themselves when they fit max_message, and are refused as {@code too_large}
     * when they do not, whatever their compression ratio.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void decompress_compressedBytes_roundTripOrTooLarge(FuzzedDataProvider d) throws GelfException {
        boolean gzip = d.consumeBoolean();
        int level = d.consumeInt(0, 9);
        int max = d.consumeInt(1, MAX);
        int repeat = d.consumeInt(1, 64);
        byte[] unit = d.consumeRemainingAsBytes();
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (int i = 0; i < repeat; i++) {
            raw.writeBytes(unit);
        }
        byte[] plain = raw.toByteArray();
        byte[] packed = gzip ? gzip(plain, level) : zlib(plain, level);
        if (plain.length <= max) {
            assertThat(GelfPayloads.decompress(packed, max)).isEqualTo(plain);
        } else {
            assertThatThrownBy(() -> GelfPayloads.decompress(packed, max))
                    .isInstanceOfSatisfying(
                            GelfException.class, e -> assertThat(e.kind()).isEqualTo("too_large"));
        }
    }

    private static byte[] gzip(byte[] plain, int level) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out) {
            {
                def.setLevel(level);
            }
        }) {
            z.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] zlib(byte[] plain, int level) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater(level))) {
            z.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
