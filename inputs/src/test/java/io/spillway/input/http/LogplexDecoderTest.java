package io.spillway.input.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.Theories;
import io.spillway.input.syslog.SyslogDecoder;
import io.spillway.record.LogRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

class LogplexDecoderTest {
    private final LogplexDecoder decoder =
            new LogplexDecoder(new SyslogDecoder(InstantSource.fixed(Instant.parse("2026-11-25T00:00:00Z"))), 512, 10);

    private static String frame(String msg) {
        return msg.getBytes(StandardCharsets.UTF_8).length + " " + msg;
    }

    private DecodeResult decode(String body) {
        return decoder.decode(body.getBytes(StandardCharsets.UTF_8), null, "peer", 1);
    }

    @Test
    void decode_herokuFramesWithoutStructuredData_parsed() {
        String body = frame("<40>1 2012-11-30T06:45:29+00:00 host app web.3 - State changed from starting to up")
                + frame("<190>1 2012-11-30T06:45:26+00:00 host heroku router - at=info method=GET path=/ status=200");
        DecodeResult r = decode(body);
        assertThat(r.malformed()).isZero();
        assertThat(r.records()).extracting(LogRecord::app).containsExactly("app", "heroku");
        assertThat(r.records())
                .extracting(LogRecord::messageText)
                .containsExactly("State changed from starting to up", "at=info method=GET path=/ status=200");
        assertThat(r.records().get(0).source()).isEqualTo("web.3");
    }

    @Test
    void decode_messageThatLooksLikeStructuredData_keptAsText() {
        // logplex-1 has no STRUCTURED-DATA field: what follows the MSGID is the message (issue 15).
        DecodeResult r = decode(frame("<14>1 2026-11-25T00:00:00Z h a - - [x@1 k=\"v\"] msg"));
        assertThat(r.records().get(0).messageText()).isEqualTo("[x@1 k=\"v\"] msg");
        assertThat(r.records().get(0).fields()).doesNotContainKey("x@1.k");
    }

    @Test
    void decode_queryApp_overridesAppName() {
        DecodeResult r = decoder.decode(
                frame("<14>1 2026-11-25T00:00:00Z h app - - m").getBytes(StandardCharsets.UTF_8), "billing", "h", 1);
        assertThat(r.records().get(0).app()).isEqualTo("billing");
    }

    @Test
    void decode_lengthPastEnd_stopsMalformed() {
        DecodeResult r = decode(frame("<14>1 - h a - - ok") + "9999 <14>1 short");
        assertThat(r.records()).hasSize(1);
        assertThat(r.malformed()).isEqualTo(1);
        assertThat(r.firstError()).contains("runs past the end");
    }

    @Test
    void decode_hugeDeclaredLength_neverAllocated() {
        DecodeResult r = decode("99999999999999999999 x");
        assertThat(r.malformed()).isEqualTo(1);
        assertThat(r.records()).isEmpty();
    }

    @Test
    void decode_frameOverMaxRecord_skippedAndNextKept() {
        String big = "<14>1 - h a - - " + "x".repeat(600);
        DecodeResult r = decode(frame(big) + frame("<14>1 - h b - - small"));
        assertThat(r.tooLarge()).isEqualTo(1);
        assertThat(r.records()).extracting(LogRecord::app).containsExactly("b");
    }

    @Test
    void decode_moreThanMaxRecords_overLimit() {
        DecodeResult r = decode(frame("<14>1 - h a - - m").repeat(11));
        assertThat(r.overLimit()).isTrue();
        assertThat(r.records()).hasSize(10);
    }

    @Test
    void decode_arbitraryBytes_neverThrows() {
        Theories.qt(500).forAll(Theories.byteArrays(0, 255)).checkAssert(body -> decoder.decode(body, null, "h", 1));
    }
}
