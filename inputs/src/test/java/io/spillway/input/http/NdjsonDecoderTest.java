package io.spillway.input.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.Theories;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NdjsonDecoderTest {
    private final NdjsonDecoder decoder = new NdjsonDecoder(1024, 100);

    private DecodeResult decode(String body) {
        return decoder.decode(body.getBytes(StandardCharsets.UTF_8), null, "peer", 42);
    }

    @Test
    void decode_fullRecord_mapsEveryKey() {
        DecodeResult r = decode("{\"app\":\"/web\",\"message\":\"GET / 200\\n\",\"host\":\"n7\",\"source\":\"c0ffee\","
                + "\"stream\":\"stderr\",\"level\":\"err\",\"time\":\"2015-07-29T03:00:00.5Z\",\"fields\":{\"k\":\"v\",\"n\":3},"
                + "\"region\":\"eu\",\"nested\":{\"x\":1}}\n");
        assertThat(r.malformed()).isZero();
        LogRecord rec = r.records().get(0);
        assertThat(rec.app()).isEqualTo("web");
        assertThat(rec.messageText()).isEqualTo("GET / 200");
        assertThat(rec.host()).isEqualTo("n7");
        assertThat(rec.source()).isEqualTo("c0ffee");
        assertThat(rec.stream()).isEqualTo(LogStream.STDERR);
        assertThat(rec.severity()).isEqualTo(Severity.ERROR);
        assertThat(rec.timestamp()).isEqualTo(1_438_138_800_500_000_000L);
        assertThat(rec.fields()).isEqualTo(Map.of("k", "v", "n", "3", "region", "eu"));
    }

    @Test
    void decode_minimalAndEpochTime_defaultsTheRest() {
        DecodeResult r =
                decode("{\"msg\":\"hi\",\"timestamp\":1438138800.25,\"severity\":4}\r\n\n   \n{\"log\":\"x\"}");
        assertThat(r.records()).hasSize(2);
        assertThat(r.records().get(0).app()).isEqualTo("unknown");
        assertThat(r.records().get(0).host()).isEqualTo("peer");
        assertThat(r.records().get(0).timestamp()).isEqualTo(1_438_138_800_250_000_000L);
        assertThat(r.records().get(0).severity()).isEqualTo(Severity.WARNING);
        assertThat(r.records().get(1).timestamp()).isEqualTo(42);
    }

    @Test
    void decode_defaultApp_winsOverLineApp() {
        DecodeResult r =
                decoder.decode("{\"app\":\"a\",\"message\":\"m\"}".getBytes(StandardCharsets.UTF_8), "q", "h", 1);
        assertThat(r.records().get(0).app()).isEqualTo("q");
    }

    @Test
    void decode_badLines_skippedCountedAndOthersKept() {
        DecodeResult r = decode(
                "not json\n{\"message\":\"ok\"}\n{\"message\":\"trunc\n[1,2]\n{\"app\":\"x\"}\n"
                        + "{\"message\":\"a\"} {\"message\":\"b\"}\n{\"message\":{\"deep\":1}}\n{\"message\":\"t\",\"time\":\"yesterday\"}\n");
        assertThat(r.records()).extracting(LogRecord::messageText).containsExactly("ok");
        assertThat(r.malformed()).isEqualTo(7);
        assertThat(r.firstError()).startsWith("line 1:");
    }

    @Test
    void decode_overlongLine_countedTooLarge() {
        DecodeResult r = decode("{\"message\":\"" + "x".repeat(2000) + "\"}\n{\"message\":\"small\"}\n");
        assertThat(r.tooLarge()).isEqualTo(1);
        assertThat(r.records()).hasSize(1);
        assertThat(r.firstError()).contains("exceeds max_record 1024");
    }

    @Test
    void decode_moreThanMaxRecords_stopsWithOverLimit() {
        DecodeResult r = decode("{\"message\":\"m\"}\n".repeat(101));
        assertThat(r.overLimit()).isTrue();
        assertThat(r.records()).hasSize(100);
    }

    @Test
    void decode_deepNesting_isMalformedNotStackOverflow() {
        String line = "{\"message\":\"m\",\"x\":" + "[".repeat(5000) + "}\n";
        DecodeResult r = new NdjsonDecoder(1 << 20, 10).decode(line.getBytes(StandardCharsets.UTF_8), null, "h", 1);
        assertThat(r.malformed()).isEqualTo(1);
    }

    @Test
    void decode_manyFields_boundedToMax() {
        StringBuilder sb = new StringBuilder("{\"message\":\"m\"");
        for (int i = 0; i < 500; i++) {
            sb.append(",\"k").append(i).append("\":\"v\"");
        }
        sb.append('}');
        DecodeResult r =
                new NdjsonDecoder(1 << 20, 10).decode(sb.toString().getBytes(StandardCharsets.UTF_8), null, "h", 1);
        assertThat(r.records().get(0).fields()).hasSize(NdjsonDecoder.MAX_FIELDS);
    }

    @Test
    void decode_arbitraryBytes_neverThrows() {
        Theories.qt(500).forAll(Theories.byteArrays(0, 255)).checkAssert(body -> {
            DecodeResult r = decoder.decode(body, null, "h", 1);
            assertThat(r.records().size() + r.malformed() + r.tooLarge()).isLessThanOrEqualTo(body.length + 1);
        });
    }
}
