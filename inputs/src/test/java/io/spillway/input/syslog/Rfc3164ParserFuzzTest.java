package io.spillway.input.syslog;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spillway.FakeClock;
import io.spillway.record.LogRecord;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link Rfc3164Parser}, called directly (see {@link Rfc5424ParserFuzzTest}
 * for why not through {@link SyslogDecoder}), and of the whole {@link SyslogDecoder} on the same bytes.
 */
class Rfc3164ParserFuzzTest {
    private final Rfc3164Parser parser = new Rfc3164Parser(FakeClock.at("2015-07-29T12:00:00Z"), ZoneOffset.ofHours(2));
    private final SyslogDecoder decoder = new SyslogDecoder(FakeClock.at("2015-07-29T12:00:00Z"));

    /**
     * What follows {@code <PRI>}: byte 0 picks the PRI, the rest is the message. Never throws (it
     * promises to never fail), reads nothing outside its range, keeps the record bounds, and the host,
     * tag and pid stay within their lengths. The full decoder, given {@code <PRI>} and the same bytes,
     * never throws and keeps the same bounds.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void parse_anyMessage_boundedAndReadsOnlyItsRange(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int pri = (data[0] & 0xff) % (SyslogDecoder.MAX_PRI + 1);
        byte[] rest = Arrays.copyOfRange(data, 1, data.length);
        LogRecord alone = parser.parse(rest, 0, rest.length, pri, "peer", Rfc5424ParserFuzzTest.RECEIVED);
        byte[] poisoned = Poison.around(rest);
        LogRecord inside = parser.parse(
                poisoned, Poison.PAD, Poison.PAD + rest.length, pri, "peer", Rfc5424ParserFuzzTest.RECEIVED);
        assertThat(inside).isEqualTo(alone);
        Poison.checkBounds(alone, rest.length);
        assertThat(alone.host().length()).isLessThanOrEqualTo(Rfc5424Parser.MAX_HOSTNAME);
        assertThat(alone.source().length()).isLessThanOrEqualTo(Rfc3164Parser.MAX_PID);

        byte[] frame = new byte[rest.length + 5];
        byte[] head = ("<" + pri + ">").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, frame, 0, head.length);
        System.arraycopy(rest, 0, frame, head.length, rest.length);
        int length = head.length + rest.length;
        LogRecord decoded = decoder.decode(frame, 0, length, "peer", Rfc5424ParserFuzzTest.RECEIVED);
        Poison.checkBounds(decoded, length);
        LogRecord whole = decoder.decode(data, "peer", Rfc5424ParserFuzzTest.RECEIVED);
        Poison.checkBounds(whole, data.length);
    }
}
