package io.spillway.input.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spillway.input.syslog.SyslogDecoder;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/** Coverage-guided fuzzing of {@link LogplexDecoder} (HTTP ingest, {@code application/logplex-1}). */
class LogplexDecoderFuzzTest {
    private static final int MAX_RECORD = 512;
    private static final int MAX_RECORDS = 16;
    private static final SyslogDecoder SYSLOG =
            new SyslogDecoder(InstantSource.fixed(Instant.parse("2026-11-25T10:00:00Z")));

    /**
     * Any body: never throws; at most max_records records; each record's message at most max_record
     * plus the two bytes of an inserted nil SD, fields bounded, the app a normalised name or the
     * request's; malformed or too-large frames are reported with a first error.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void decode_anyBody_boundedAndCounted(byte[] body) {
        String defaultApp = body.length > 0 && (body[body.length - 1] & 1) == 1 ? "from-query" : null;
        DecodeResult r = new LogplexDecoder(SYSLOG, MAX_RECORD, MAX_RECORDS).decode(body, defaultApp, "peer", 1L);
        assertThat(r.records()).hasSizeLessThanOrEqualTo(MAX_RECORDS);
        assertThat(r.firstError().isEmpty()).isEqualTo(r.malformed() + r.tooLarge() == 0);
        for (LogRecord rec : r.records()) {
            assertThat(rec.messageLength()).isLessThanOrEqualTo(MAX_RECORD + 2);
            assertThat(rec.fields()).hasSizeLessThanOrEqualTo(SyslogDecoder.MAX_FIELDS);
            assertThat(rec.app()).matches("[A-Za-z0-9._-]{1," + AppNames.MAX_LENGTH + "}");
            if (defaultApp != null) {
                assertThat(rec.app()).isEqualTo(defaultApp);
            }
        }
    }

    /**
     * Logplex frames as a drain writes them ({@code LEN SP <PRI>1 TIME HOST APP PROCID MSGID MSG}, no
     * structured data), with fuzzed tokens and message bytes, decode to one record per frame with that
     * app and message, and none malformed.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void decode_framesAsADrainWritesThem_roundTrip(FuzzedDataProvider d) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<String> apps = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        int n = d.consumeInt(0, MAX_RECORDS);
        for (int i = 0; i < n; i++) {
            String app = token(d, "abcdefghijklmnopqrstuvwxyz0123456789-", 1, 30);
            String procid = token(d, "abcdefghijklmnopqrstuvwxyz0123456789.", 1, 10);
            // A message not starting with '[' or "- " (that would read as structured data).
            String message = token(d, "abcdefghij KLMNOP=\"]\\:;{}0123456789", 0, 80);
            if (message.startsWith("[") || message.startsWith("- ") || message.equals("-")) {
                message = "x" + message;
            }
            byte[] frame = ("<190>1 2026-11-25T10:00:00+00:00 host " + app + " " + procid + " - " + message)
                    .getBytes(StandardCharsets.UTF_8);
            body.writeBytes((frame.length + " ").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(frame);
            if (d.consumeBoolean()) {
                body.write('\n');
            }
            // "-" is RFC 5424's NILVALUE: no app name, so the record's app is unknown (the fuzzer's
            // first finding here was this oracle, not the decoder).
            apps.add(app.equals("-") ? AppNames.UNKNOWN : app);
            messages.add(message);
        }
        DecodeResult r = new LogplexDecoder(SYSLOG, 1 << 16, MAX_RECORDS).decode(body.toByteArray(), null, "peer", 1L);
        assertThat(r.firstError()).isEmpty();
        assertThat(r.records().stream().map(LogRecord::app).toList()).isEqualTo(apps);
        assertThat(r.records().stream().map(LogRecord::messageText).toList()).isEqualTo(messages);
    }

    private static String token(FuzzedDataProvider d, String alphabet, int min, int max) {
        int n = d.consumeInt(min, max);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(d.consumeInt(0, alphabet.length() - 1)));
        }
        return s.toString();
    }
}
