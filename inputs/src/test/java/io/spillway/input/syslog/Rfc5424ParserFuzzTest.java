package io.spillway.input.syslog;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spillway.FakeClock;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link Rfc5424Parser}, called directly: {@link SyslogDecoder} catches a
 * runtime exception as a parse error ("belt and braces"), which would hide a parser bug from the fuzzer.
 */
class Rfc5424ParserFuzzTest {
    static final long RECEIVED = FakeClock.epochNanos("2015-07-29T12:00:00Z");
    private final Rfc5424Parser parser = new Rfc5424Parser();

    /**
     * What follows {@code <PRI>1 }: byte 0 picks the PRI, the rest is the header and message. Never
     * throws, reads nothing outside its range (the same bytes between poison give the same record), and
     * a record keeps every bound: message no longer than the input, fields and values bounded, app a
     * normalised name, header tokens within their RFC lengths.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void parse_anyHeader_boundedAndReadsOnlyItsRange(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int pri = (data[0] & 0xff) % (SyslogDecoder.MAX_PRI + 1);
        byte[] rest = Arrays.copyOfRange(data, 1, data.length);
        LogRecord alone = parser.parse(rest, 0, rest.length, pri, "peer", RECEIVED);
        byte[] poisoned = Poison.around(rest);
        LogRecord inside = parser.parse(poisoned, Poison.PAD, Poison.PAD + rest.length, pri, "peer", RECEIVED);
        assertThat(inside).isEqualTo(alone);
        if (alone != null) {
            Poison.checkBounds(alone, rest.length);
            assertThat(alone.host().length()).isLessThanOrEqualTo(Rfc5424Parser.MAX_HOSTNAME);
            assertThat(alone.source().length()).isLessThanOrEqualTo(Rfc5424Parser.MAX_PROCID);
        }
    }

    /**
     * A well-formed message built from fuzzed header values, structured data (with the escapes of
     * §6.3.3) and message bytes parses back to exactly those values.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void parse_wellFormedMessage_roundTrip(FuzzedDataProvider d) {
        int pri = d.consumeInt(0, SyslogDecoder.MAX_PRI);
        // Years 1678-2261 are what epoch nanos can hold; the parser promises exactly that range.
        long seconds = d.consumeLong(
                Instant.parse("1678-01-01T00:00:00Z").getEpochSecond(),
                Instant.parse("2261-12-31T00:00:00Z").getEpochSecond());
        int nanos = d.consumeInt(0, 999_999_999);
        // java.time offsets stop at ±18:00; the parser refuses larger ones (RFC 3339 allows up to 23:59).
        int offsetMinutes = d.consumeInt(-18 * 60, 18 * 60);
        String host = token(d, Rfc5424Parser.MAX_HOSTNAME);
        String app = name(d);
        String procid = token(d, Rfc5424Parser.MAX_PROCID);
        String msgid = token(d, Rfc5424Parser.MAX_MSGID);
        Map<String, String> sd = new LinkedHashMap<>();
        String sdId = sdName(d);
        int params = d.consumeInt(0, 5);
        StringBuilder sdText = new StringBuilder();
        if (!sdId.isEmpty()) {
            sdText.append('[').append(sdId);
            for (int i = 0; i < params; i++) {
                String name = sdName(d);
                if (name.isEmpty()) {
                    break;
                }
                // Through UTF-8 and back: what a value can be on the wire (no unpaired surrogates).
                String value = new String(d.consumeString(40).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
                String escaped =
                        value.replace("\\", "\\\\").replace("\"", "\\\"").replace("]", "\\]");
                sdText.append(' ').append(name).append("=\"").append(escaped).append('"');
                sd.putIfAbsent(sdId + "." + name, value);
            }
            sdText.append(']');
        }
        byte[] message = d.consumeRemainingAsBytes();
        Instant at = Instant.ofEpochSecond(seconds, nanos);
        String ts = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX", Locale.ROOT)
                .format(at.atOffset(ZoneOffset.ofTotalSeconds(offsetMinutes * 60)));
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes((ts + " " + host + " " + app + " " + procid + " " + msgid + " " + (sdText.isEmpty() ? "-" : sdText)
                        + " ")
                .getBytes(StandardCharsets.UTF_8));
        b.writeBytes(message);
        byte[] in = b.toByteArray();
        LogRecord r = parser.parse(in, 0, in.length, pri, "peer", RECEIVED);
        assertThat(r).as("parse of %s", new String(in, StandardCharsets.UTF_8)).isNotNull();
        assertThat(r.timestamp()).isEqualTo(seconds * 1_000_000_000L + nanos);
        assertThat(r.host()).isEqualTo(host.equals("-") ? "peer" : host);
        // "-" is the NILVALUE: no app name, so the record's app is unknown (a finding of the oracle's).
        assertThat(r.app())
                .isEqualTo(
                        app.equals("-") ? AppNames.UNKNOWN : AppNames.normalize(SyslogDecoder.stripDockerPrefix(app)));
        assertThat(r.source()).isEqualTo(procid.equals("-") ? "" : procid);
        assertThat(r.severity().code()).isEqualTo(pri & 7);
        byte[] expectedMessage = message;
        if (message.length >= 3
                && (message[0] & 0xff) == 0xEF
                && (message[1] & 0xff) == 0xBB
                && (message[2] & 0xff) == 0xBF) {
            expectedMessage = Arrays.copyOfRange(message, 3, message.length); // the BOM of §6.4
        }
        assertThat(r.messageBytes()).isEqualTo(expectedMessage);
        Map<String, String> fields = new LinkedHashMap<>(r.fields());
        assertThat(fields.remove("facility")).isEqualTo(Facility.name(pri >> 3));
        if (!msgid.equals("-")) {
            assertThat(fields.remove("msgid")).isEqualTo(msgid);
        }
        assertThat(fields).isEqualTo(sd);
    }

    /** 1 to max printable US-ASCII bytes (RFC 5424 §6: PRINTUSASCII, 33–126). */
    static String token(FuzzedDataProvider d, int max) {
        int n = d.consumeInt(1, max);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append((char) d.consumeInt(33, 126));
        }
        if (s.charAt(0) == '[') {
            s.setCharAt(0, '_'); // a '[' where PROCID or MSGID should be starts the structured data
        }
        return s.toString();
    }

    /** An app name as the decoder keeps it: [A-Za-z0-9._-], 1 to 48. */
    static String name(FuzzedDataProvider d) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
        int n = d.consumeInt(1, 48);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(d.consumeInt(0, alphabet.length() - 1)));
        }
        return s.toString();
    }

    /** An SD-NAME (1–32 PRINTUSASCII except '=', SP, ']', '"'), or empty. */
    static String sdName(FuzzedDataProvider d) {
        int n = d.consumeInt(0, Rfc5424Parser.MAX_SD_NAME);
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            char c = (char) d.consumeInt(33, 126);
            s.append(c == '=' || c == ']' || c == '"' ? '_' : c);
        }
        return s.toString();
    }
}
