package io.spillway.input.syslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.spillway.FakeClock;
import io.spillway.input.Corpus;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import io.spillway.record.Severity;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyslogDecoderTest {
    static final String PEER = "10.0.0.9";
    static final long RECEIVED = FakeClock.epochNanos("2015-07-29T12:00:00Z");

    private final SyslogDecoder decoder = new SyslogDecoder(FakeClock.at("2015-07-29T12:00:00Z"));

    private LogRecord decode(String line) {
        return decoder.decode(line.getBytes(StandardCharsets.UTF_8), PEER, RECEIVED);
    }

    @Test
    void decode_everyFormat_streamIsUnknown() {
        // Syslog has no stream: Docker's stderr lines come at err, but so do other senders' (issue 15).
        assertThat(decode("<11>1 2015-07-29T03:00:00Z h web - - - boom").stream())
                .isEqualTo(io.spillway.record.LogStream.UNKNOWN);
        assertThat(decode("<11>Jul 29 03:00:00 h web[1]: boom").stream())
                .isEqualTo(io.spillway.record.LogStream.UNKNOWN);
        assertThat(decode("no priority at all").stream()).isEqualTo(io.spillway.record.LogStream.UNKNOWN);
    }

    // ---- RFC 5424 corpus -------------------------------------------------------------------------

    @Test
    void decode_rfc5424Corpus_everyLineParsesWithItsFields() {
        List<byte[]> lines = Corpus.lines("syslog-rfc5424.log");
        assertThat(lines).hasSize(5);
        List<LogRecord> records =
                lines.stream().map(l -> decoder.decode(l, PEER, RECEIVED)).toList();
        assertThat(records).noneMatch(SyslogDecoder::isParseError);

        LogRecord sd = records.get(0);
        assertThat(sd.timestamp()).isEqualTo(FakeClock.epochNanos("2015-07-29T03:00:00.003Z"));
        assertThat(sd.host()).isEqualTo("node-7.example.net");
        assertThat(sd.app()).isEqualTo("error-page");
        assertThat(sd.source()).isEqualTo("4242");
        assertThat(sd.severity()).isEqualTo(Severity.NOTICE); // 165 = local4.notice
        assertThat(sd.fields())
                .containsEntry("facility", "local4")
                .containsEntry("msgid", "ID47")
                .containsEntry("exampleSDID@32473.iut", "3")
                .containsEntry("exampleSDID@32473.eventSource", "Application")
                .containsEntry("exampleSDID@32473.eventID", "1011");
        assertThat(sd.messageText()).isEqualTo("An application event log entry");

        LogRecord nilIds = records.get(1);
        assertThat(nilIds.timestamp()).isEqualTo(FakeClock.epochNanos("2015-07-29T03:00:01Z"));
        assertThat(nilIds.app()).isEqualTo("sensors-api");
        assertThat(nilIds.source()).isEmpty();
        assertThat(nilIds.severity()).isEqualTo(Severity.INFO);
        assertThat(nilIds.fields()).isEqualTo(Map.of("facility", "user"));
        assertThat(nilIds.messageText()).isEqualTo("Started POST \"/api/v1/measurements\"");

        LogRecord bom = records.get(2);
        assertThat(bom.timestamp()).isEqualTo(FakeClock.epochNanos("2015-07-29T03:00:02.123456Z"));
        assertThat(bom.app()).isEqualTo("billing");
        assertThat(bom.source()).isEqualTo("77");
        assertThat(bom.severity()).isEqualTo(Severity.ERROR);
        assertThat(bom.messageText()).isEqualTo("BOM-prefixed UTF-8 message");

        LogRecord allNil = records.get(3);
        assertThat(allNil.timestamp()).isEqualTo(RECEIVED);
        assertThat(allNil.host()).isEqualTo(PEER);
        assertThat(allNil.app()).isEqualTo(AppNames.UNKNOWN);
        assertThat(allNil.source()).isEmpty();
        assertThat(allNil.severity()).isEqualTo(Severity.NOTICE);
        assertThat(allNil.messageText()).isEqualTo("minimal message with all nil fields");

        LogRecord escaped = records.get(4);
        assertThat(escaped.app()).isEqualTo("app");
        assertThat(escaped.host()).isEqualTo("node-7");
        assertThat(escaped.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(escaped.fields()).containsEntry("a@1.k", "v with \"escaped\" quote and ] bracket");
        assertThat(escaped.messageText()).isEqualTo("escaped SD");
    }

    @Test
    void decode_rfc5424WithOffsetAndNanos_convertsToUtcEpochNanos() {
        LogRecord r = decode("<14>1 2015-07-29T05:00:00.123456789+02:00 h a - - - m");
        assertThat(r.timestamp()).isEqualTo(FakeClock.epochNanos("2015-07-29T03:00:00.123456789Z"));
        assertThat(decode("<14>1 2015-07-28T22:30:00-04:30 h a - - - m").timestamp())
                .isEqualTo(FakeClock.epochNanos("2015-07-29T03:00:00Z"));
    }

    @Test
    void decode_multipleSdElementsAndBackslashes_flattenedAndUnescaped() {
        LogRecord r = decode("<14>1 - h a - - [x@1 p=\"a\\\\b\" q=\"c\\d\"][y@2 r=\"\"] msg");
        assertThat(r.fields())
                .containsEntry("x@1.p", "a\\b")
                .containsEntry("x@1.q", "c\\d") // RFC 5424 §6.3.3: other backslashes stay
                .containsEntry("y@2.r", "");
        assertThat(r.messageText()).isEqualTo("msg");
    }

    @Test
    void decode_sdWithoutMessage_emptyMessage() {
        LogRecord r = decode("<14>1 - h a - - [x@1 p=\"v\"]");
        assertThat(SyslogDecoder.isParseError(r)).isFalse();
        assertThat(r.messageLength()).isZero();
    }

    @Test
    void decode_manySdParams_boundedFieldsWithTruncationMarker() {
        StringBuilder sd = new StringBuilder("[x@1");
        for (int i = 0; i < 200; i++) {
            sd.append(" p").append(i).append("=\"").append("v".repeat(5000)).append('"');
        }
        sd.append(']');
        LogRecord r = decode("<14>1 - h a - - " + sd + " msg");
        assertThat(r.fields()).hasSize(SyslogDecoder.MAX_FIELDS);
        assertThat(r.fields()).containsEntry(BoundedFields.TRUNCATED, "true");
        assertThat(r.fields().values()).allMatch(v -> v.length() <= SyslogDecoder.MAX_FIELD_VALUE);
    }

    @Test
    void decode_appNameWithOddCharacters_normalised() {
        assertThat(decode("<14>1 - h my/app:x - - - m").app()).isEqualTo("my_app_x");
    }

    @Test
    void decode_malformedRfc5424Header_keptWholeAsUnknownWithParseError() {
        for (String line : List.of(
                "<14>1 2015-13-45T00:00:00Z h a - - - bad date",
                "<14>1 2015-07-29 h a - - - no T",
                "<14>1 - h a - - [unterminated sd",
                "<14>1 - h a - - [x@1 k=\"v\"]garbage after sd",
                "<14>1 - h a - - nosd",
                "<14>1 - h",
                "<14>1 9999-07-29T00:00:00Z h a - - - beyond epoch nanos")) {
            LogRecord r = decode(line);
            assertThat(SyslogDecoder.isParseError(r)).as(line).isTrue();
            assertThat(r.fields()).containsEntry(SyslogDecoder.PARSE_ERROR_FIELD, "bad_header");
            assertThat(r.app()).isEqualTo(AppNames.UNKNOWN);
            assertThat(r.severity()).isEqualTo(Severity.INFO); // the PRI was fine
            assertThat(r.messageText()).isEqualTo(line);
            assertThat(r.timestamp()).isEqualTo(RECEIVED);
            assertThat(r.host()).isEqualTo(PEER);
        }
    }

    // ---- RFC 3164 corpus -------------------------------------------------------------------------

    @Test
    void decode_rfc3164Corpus_everyLineParsesWithItsFields() {
        List<byte[]> lines = Corpus.lines("syslog-rfc3164.log");
        assertThat(lines).hasSize(4);
        List<LogRecord> r =
                lines.stream().map(l -> decoder.decode(l, PEER, RECEIVED)).toList();

        assertThat(r.get(0).app()).isEqualTo("su");
        assertThat(r.get(0).host()).isEqualTo("node-7");
        assertThat(r.get(0).severity()).isEqualTo(Severity.CRITICAL);
        assertThat(r.get(0).fields()).containsEntry("facility", "auth");
        assertThat(r.get(0).timestamp()).isEqualTo(FakeClock.epochNanos("2015-07-29T03:00:00Z"));
        assertThat(r.get(0).messageText()).isEqualTo("'su root' failed for lonvick on /dev/pts/8");
        assertThat(SyslogDecoder.isParseError(r.get(0))).isFalse();

        assertThat(r.get(1).app()).isEqualTo("app");
        assertThat(r.get(1).source()).isEqualTo("123");
        assertThat(r.get(1).timestamp()).isEqualTo(FakeClock.epochNanos("2015-07-09T03:00:01Z"));
        assertThat(r.get(1).messageText()).isEqualTo("single-digit day padded with a space");

        assertThat(r.get(2).app()).isEqualTo("sensors-api");
        assertThat(r.get(2).source()).isEqualTo("4242");
        assertThat(r.get(2).severity()).isEqualTo(Severity.INFO);
        assertThat(r.get(2).fields()).containsEntry("facility", "daemon");
        assertThat(r.get(2).messageText()).isEqualTo("docker syslog driver style tag");

        LogRecord noPri = r.get(3);
        assertThat(noPri.app()).isEqualTo(AppNames.UNKNOWN);
        assertThat(noPri.severity()).isEqualTo(Severity.UNKNOWN);
        assertThat(noPri.host()).isEqualTo(PEER);
        assertThat(noPri.timestamp()).isEqualTo(RECEIVED);
        assertThat(noPri.messageText()).isEqualTo("no priority at all, just text");
        assertThat(noPri.fields()).containsEntry(SyslogDecoder.PARSE_ERROR_FIELD, "no_pri");
    }

    @Test
    void decode_rfc3164DecemberLineReadInJanuary_lastYear() {
        SyslogDecoder january = new SyslogDecoder(FakeClock.at("2016-01-01T00:10:00Z"));
        LogRecord r = january.decode("<13>Dec 31 23:59:00 h app: m".getBytes(StandardCharsets.UTF_8), PEER, 0);
        assertThat(r.timestamp()).isEqualTo(FakeClock.epochNanos("2015-12-31T23:59:00Z"));
    }

    @Test
    void decode_rfc3164UpToOneDayAhead_thisYear_beyond_lastYear() {
        SyslogDecoder d = new SyslogDecoder(FakeClock.at("2015-07-29T00:00:00Z"));
        assertThat(d.decode("<13>Jul 30 00:00:00 h a: m".getBytes(StandardCharsets.UTF_8), PEER, 0)
                        .timestamp())
                .isEqualTo(FakeClock.epochNanos("2015-07-30T00:00:00Z"));
        assertThat(d.decode("<13>Jul 30 00:00:01 h a: m".getBytes(StandardCharsets.UTF_8), PEER, 0)
                        .timestamp())
                .isEqualTo(FakeClock.epochNanos("2014-07-30T00:00:01Z"));
    }

    @Test
    void decode_rfc3164Feb29InCommonYear_previousLeapYear() {
        SyslogDecoder d = new SyslogDecoder(FakeClock.at("2015-03-01T00:00:00Z"));
        assertThat(d.decode("<13>Feb 29 10:00:00 h a: m".getBytes(StandardCharsets.UTF_8), PEER, 0)
                        .timestamp())
                .isEqualTo(FakeClock.epochNanos("2012-02-29T10:00:00Z"));
    }

    @Test
    void decode_rfc3164TagWithoutPidAndNoHost_tagIsApp() {
        LogRecord r = decode("<13>Jul 29 03:00:00 cron: job done");
        assertThat(r.app()).isEqualTo("cron");
        assertThat(r.host()).isEqualTo(PEER);
        assertThat(r.messageText()).isEqualTo("job done");
    }

    @Test
    void decode_rfc3164WithoutTimestamp_tagParsedAndReceiveTime() {
        LogRecord r = decode("<13>myapp[7]: hello");
        assertThat(r.app()).isEqualTo("myapp");
        assertThat(r.source()).isEqualTo("7");
        assertThat(r.timestamp()).isEqualTo(RECEIVED);
        assertThat(r.messageText()).isEqualTo("hello");
        assertThat(SyslogDecoder.isParseError(r)).isFalse();
    }

    @Test
    void decode_rfc3164ContentWithoutTag_unknownAppWholeContent() {
        LogRecord r = decode("<13>Jul 29 03:00:00 node-7 just some words");
        assertThat(r.app()).isEqualTo(AppNames.UNKNOWN);
        assertThat(r.host()).isEqualTo("node-7");
        assertThat(r.messageText()).isEqualTo("just some words");
    }

    // ---- PRI and framing leftovers ---------------------------------------------------------------

    @Test
    void decode_badPri_keptWholeWithUnknownSeverity() {
        for (String line : List.of("<192>1 - - - - - - x", "<>x", "<1234>x", "<12x", "<13", "<-1>x")) {
            LogRecord r = decode(line);
            assertThat(r.fields()).as(line).containsEntry(SyslogDecoder.PARSE_ERROR_FIELD, "bad_pri");
            assertThat(r.severity()).isEqualTo(Severity.UNKNOWN);
            assertThat(r.app()).isEqualTo(AppNames.UNKNOWN);
            assertThat(r.messageText()).isEqualTo(line);
        }
    }

    @Test
    void decode_trailingNewlineCrAndNul_trimmed() {
        assertThat(decode("<13>1 - h a - - - m\r\n\0").messageText()).isEqualTo("m");
    }

    @Test
    void decode_emptyFrame_parseErrorEmpty() {
        assertThat(decode("\n").fields()).containsEntry(SyslogDecoder.PARSE_ERROR_FIELD, "empty");
    }

    @Test
    void decode_byteBufSlice_readsOnlyReadableBytesAndKeepsIndexes() {
        var buf = Unpooled.copiedBuffer("xx<13>1 - h a - - - inside", StandardCharsets.UTF_8);
        try {
            var slice = buf.slice(2, buf.readableBytes() - 2);
            LogRecord r = decoder.decode(slice, PEER, RECEIVED);
            assertThat(r.messageText()).isEqualTo("inside");
            assertThat(slice.readerIndex()).isZero();
        } finally {
            buf.release();
        }
    }

    @Test
    void decode_subrangeOfArray_neverReadsOutside() {
        byte[] b = "<13>1 - h a - - [x@1 k=\"v\"] m<garbage".getBytes(StandardCharsets.UTF_8);
        // Cut inside the SD value: must not look past the cut for the closing quote.
        LogRecord r = decoder.decode(b, 0, 24, PEER, RECEIVED);
        assertThat(SyslogDecoder.isParseError(r)).isTrue();
        assertThat(r.messageLength()).isEqualTo(24);
    }

    @Test
    void decode_dockerDefaultFormatWithRfc3339Timestamp_parsed() {
        // srslog's default formatter, which the Docker syslog driver uses unless syslog-format is set.
        LogRecord r = decode("<30>2015-07-29T05:00:02+02:00 node-7 dockerd/web-1[812]: GET / 200");
        assertThat(r.timestamp()).isEqualTo(FakeClock.epochNanos("2015-07-29T03:00:02Z"));
        assertThat(r.host()).isEqualTo("node-7");
        assertThat(r.app()).isEqualTo("web-1");
        assertThat(r.source()).isEqualTo("812");
        assertThat(r.messageText()).isEqualTo("GET / 200");
        assertThat(SyslogDecoder.isParseError(r)).isFalse();
    }

    @Test
    void decode_dockerRfc5424AppName_prefixStripped() {
        assertThat(decode("<30>1 2015-07-29T03:00:02Z node-7 dockerd/web-1 812 web-1 - hi")
                        .app())
                .isEqualTo("web-1");
        assertThat(decode("<30>1 - node-7 docker/ - - - hi").app()).isEqualTo("docker_");
        String longName = "n".repeat(128);
        assertThat(decode("<30>1 - node-7 dockerd/" + longName + " - - - hi").app())
                .isEqualTo(longName);
    }

    @Test
    void decode_datagramWithTwoLines_oneRecord() {
        // RFC 5426 §3.1: one datagram carries one message; a newline inside it is part of MSG.
        LogRecord r = decode("<13>1 - h a - - - one\n<13>1 - h a - - - two\n");
        assertThat(r.messageText()).isEqualTo("one\n<13>1 - h a - - - two");
    }
}
