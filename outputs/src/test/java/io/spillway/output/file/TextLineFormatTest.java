package io.spillway.output.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextLineFormatTest {
    private static String encode(LogRecord r) {
        return new String(FileTesting.textLine(r), StandardCharsets.UTF_8);
    }

    private static LogRecord withBytes(byte[] message) {
        return FileTesting.record("web", "").withMessage(message);
    }

    @Test
    void encode_plainRecord_writesHerokuLikeLine() {
        LogRecord r = new LogRecord(
                FileTesting.T0,
                "node-7",
                "web",
                "web.1",
                LogStream.STDERR,
                Severity.ERROR,
                "GET /status 500".getBytes(StandardCharsets.UTF_8),
                Map.of("k", "v"));

        assertThat(encode(r)).isEqualTo("2015-07-29T03:00:00.003000Z node-7 web.1[stderr] err: GET /status 500\n");
    }

    @Test
    void encode_messageWithLineBreaks_staysOneLine() {
        assertThat(encode(FileTesting.record("web", "first\nsecond\r\nthird")))
                .endsWith("info: first\\nsecond\\r\\nthird\n")
                .containsOnlyOnce("\n");
    }

    @Test
    void encode_nonAscii_keptAsUtf8() {
        assertThat(encode(FileTesting.record("web", "héllo wörld ✓ 日本 😀"))).endsWith("info: héllo wörld ✓ 日本 😀\n");
    }

    @Test
    void encode_emptyMessage_endsAfterSeverity() {
        assertThat(encode(FileTesting.record("web", ""))).endsWith("web.1[stdout] info: \n");
    }

    @Test
    void encode_terminalControls_escapedAsHex() {
        // ESC [2J clears a terminal; C1 CSI (U+009B) does the same on some; DEL; tab is kept.
        assertThat(encode(FileTesting.record("web", "a\u001b[2Jb\u009bc\u007fd\te\u0000")))
                .endsWith("info: a\\x1b[2Jb\\x9bc\\x7fd\te\\x00\n");
    }

    @Test
    void encode_malformedUtf8_replacedNotPassedThrough() {
        String line = encode(withBytes(new byte[] {'o', 'k', (byte) 0xff, (byte) 0xc3}));

        assertThat(line).endsWith("info: ok\uFFFD\uFFFD\n");
    }

    @Test
    void encode_emptyOrSpacedHostAndSource_keepFieldsSplittable() {
        LogRecord r = new LogRecord(
                FileTesting.T0,
                "",
                "web",
                "my proc\tname",
                LogStream.EVENT,
                Severity.UNKNOWN,
                "m".getBytes(StandardCharsets.UTF_8),
                Map.of());

        assertThat(encode(r)).isEqualTo("2015-07-29T03:00:00.003000Z - my_proc_name[event] unknown: m\n");
        assertThat(encode(r.withMessage(new byte[0]).withFields(Map.of())))
                .matches("\\S+ \\S+ \\S+\\[(stdout|stderr|event)\\] \\w+: .*\n");
    }

    @Test
    void encode_timestamps_fixedWidthMicrosInUtc() {
        assertThat(encode(new LogRecord(0, "h", "a", "s", LogStream.STDOUT, Severity.INFO, new byte[0], Map.of())))
                .startsWith("1970-01-01T00:00:00.000000Z ");
        assertThat(encode(new LogRecord(-1, "h", "a", "s", LogStream.STDOUT, Severity.INFO, new byte[0], Map.of())))
                .startsWith("1969-12-31T23:59:59.999999Z ");
        assertThat(encode(new LogRecord(
                        1_700_000_000_123_456_789L,
                        "h",
                        "a",
                        "s",
                        LogStream.STDOUT,
                        Severity.INFO,
                        new byte[0],
                        Map.of())))
                .startsWith("2023-11-14T22:13:20.123456Z ");
    }

    @Test
    void timestamps_nanos_nineDigits() {
        assertThat(new Timestamps(9).format(1_700_000_000_123_456_789L)).isEqualTo("2023-11-14T22:13:20.123456789Z");
        assertThat(new Timestamps(3).format(1_700_000_000_123_456_789L)).isEqualTo("2023-11-14T22:13:20.123Z");
    }

    @Test
    void encode_loneSurrogateInHost_stillValidUtf8() {
        LogRecord r = new LogRecord(0, "h\ud800", "web", "s", LogStream.STDOUT, Severity.INFO, new byte[0], Map.of());

        byte[] line = FileTesting.textLine(r);

        assertThat(new String(line, StandardCharsets.UTF_8)).startsWith("1970-01-01T00:00:00.000000Z h? s[stdout]");
    }
}
