package io.spillway.input.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/** Coverage-guided fuzzing of {@link NdjsonDecoder} (HTTP ingest, {@code application/x-ndjson}). */
class NdjsonDecoderFuzzTest {
    private static final int MAX_RECORD = 512;
    private static final int MAX_RECORDS = 16;
    private static final JsonFactory JSON = new JsonFactory();

    /**
     * Any body: never throws; at most max_records records, and over_limit only when the body held more;
     * records, malformed and too-large lines together at most the non-blank lines; every record's
     * message no longer than its line (so at most max_record), fields and values bounded, the app a
     * normalised name or the request's.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void decode_anyBody_boundedAndCounted(byte[] body) {
        String defaultApp = body.length > 0 && (body[0] & 1) == 1 ? "from-query" : null;
        DecodeResult r = new NdjsonDecoder(MAX_RECORD, MAX_RECORDS).decode(body, defaultApp, "peer", 1L);
        int lines = nonBlankLines(body);
        assertThat(r.records()).hasSizeLessThanOrEqualTo(MAX_RECORDS);
        assertThat(r.records().size() + r.malformed() + r.tooLarge()).isLessThanOrEqualTo(lines);
        if (r.overLimit()) {
            assertThat(lines).isGreaterThan(MAX_RECORDS);
        } else {
            assertThat(r.records().size() + r.malformed() + r.tooLarge()).isEqualTo(lines);
        }
        assertThat(r.firstError().isEmpty()).isEqualTo(r.malformed() + r.tooLarge() == 0);
        for (LogRecord rec : r.records()) {
            assertThat(rec.messageLength()).isLessThanOrEqualTo(MAX_RECORD);
            assertThat(rec.fields()).hasSizeLessThanOrEqualTo(NdjsonDecoder.MAX_FIELDS);
            assertThat(rec.fields()).allSatisfy((k, v) -> {
                assertThat(k.length()).isLessThanOrEqualTo(NdjsonDecoder.MAX_FIELD_VALUE);
                assertThat(v.length()).isLessThanOrEqualTo(NdjsonDecoder.MAX_FIELD_VALUE);
            });
            assertThat(rec.host().length()).isLessThanOrEqualTo(NdjsonDecoder.MAX_FIELD_VALUE);
            assertThat(rec.source().length()).isLessThanOrEqualTo(NdjsonDecoder.MAX_FIELD_VALUE);
            assertThat(rec.app()).matches("[A-Za-z0-9._-]{1," + AppNames.MAX_LENGTH + "}");
            if (defaultApp != null) {
                assertThat(rec.app()).isEqualTo(defaultApp);
            }
        }
    }

    /**
     * Lines written by a JSON library from fuzzed messages (any text, escapes included, the trailing
     * newline Docker adds) and epoch-second times decode to exactly those messages and times, in order.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void decode_linesFromAJsonWriter_roundTrip(FuzzedDataProvider d) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<String> messages = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        int n = d.consumeInt(0, MAX_RECORDS);
        for (int i = 0; i < n; i++) {
            String m = new String(d.consumeString(60).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            long seconds = d.consumeLong(0, 9_199_999_999L);
            int millis = d.consumeInt(0, 999);
            boolean dockerNewline = d.consumeBoolean();
            try (JsonGenerator g = JSON.createGenerator(body)) {
                g.writeStartObject();
                g.writeStringField("message", dockerNewline ? m + "\n" : m);
                g.writeNumberField(
                        "time",
                        new java.math.BigDecimal(seconds + "." + String.format(java.util.Locale.ROOT, "%03d", millis)));
                g.writeEndObject();
            }
            if (d.consumeBoolean()) {
                body.write('\r');
            }
            body.write('\n');
            // The decoder cuts one trailing newline, the one Docker adds, whoever added it.
            messages.add(!dockerNewline && m.endsWith("\n") ? m.substring(0, m.length() - 1) : m);
            times.add(seconds * 1_000_000_000L + millis * 1_000_000L);
        }
        DecodeResult r = new NdjsonDecoder(1 << 20, MAX_RECORDS).decode(body.toByteArray(), null, "peer", 1L);
        assertThat(r.firstError()).isEmpty();
        assertThat(r.records().stream().map(LogRecord::messageText).toList()).isEqualTo(messages);
        assertThat(r.records().stream().map(LogRecord::timestamp).toList()).isEqualTo(times);
    }

    /** Lines that hold something other than spaces, tabs and CRs (what the decoder skips as blank). */
    static int nonBlankLines(byte[] body) {
        int lines = 0;
        boolean content = false;
        for (byte b : body) {
            if (b == '\n') {
                lines += content ? 1 : 0;
                content = false;
            } else if (b != ' ' && b != '\t' && b != '\r') {
                content = true;
            }
        }
        return lines + (content ? 1 : 0);
    }
}
