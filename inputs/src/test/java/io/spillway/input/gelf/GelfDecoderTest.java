package io.spillway.input.gelf;

import static io.spillway.input.gelf.Gelf.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class GelfDecoderTest {
    private static final long NOW = 1_700_000_000_000_000_000L;
    private final GelfDecoder decoder = new GelfDecoder("_container_name");

    private LogRecord decode(String json) throws GelfException {
        return decoder.decode(utf8(json), "10.0.0.9", NOW);
    }

    @Test
    void decode_corpus_everyLineDecodes() throws GelfException {
        List<String> lines = Gelf.corpusLines("gelf.jsonl");
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            LogRecord r = decode(line);
            assertThat(r.messageText()).isNotEmpty();
            assertThat(r.app()).isNotEqualTo("unknown");
        }
        LogRecord first = decode(lines.get(0));
        assertThat(first.host()).isEqualTo("node-7");
        assertThat(first.app()).isEqualTo("sensors-api");
        assertThat(first.source()).isEqualTo("4d3c2b1a");
        assertThat(first.severity()).isEqualTo(Severity.ofCode(6));
        assertThat(first.timestamp()).isEqualTo(1_438_138_800_123_000_000L);
        assertThat(first.messageText()).isEqualTo("Started POST /api/v1/measurements");
        assertThat(first.fields()).containsEntry("container_id", "4d3c2b1a").containsEntry("tag", "sensors-api");
    }

    @Test
    void decode_fullMessage_isMessageAndShortKeptAsField() throws GelfException {
        LogRecord r = decode("{\"version\":\"1.1\",\"host\":\"h\",\"short_message\":\"boom\","
                + "\"full_message\":\"RuntimeError: boom\\n  app/x.rb:1\",\"timestamp\":1438138801,\"level\":3,"
                + "\"_container_name\":\"billing\",\"_container_id\":\"abc\"}");
        assertThat(r.messageText()).isEqualTo("RuntimeError: boom\n  app/x.rb:1");
        assertThat(r.fields()).containsEntry("short_message", "boom");
        assertThat(r.app()).isEqualTo("billing");
        assertThat(r.stream()).isEqualTo(LogStream.STDERR);
        assertThat(r.timestamp()).isEqualTo(1_438_138_801_000_000_000L);
    }

    @Test
    void decode_noAppField_fallsBackToTagThenUnknown() throws GelfException {
        assertThat(decode("{\"short_message\":\"x\",\"_tag\":\"web/1\"}").app()).isEqualTo("web_1");
        assertThat(decode("{\"short_message\":\"x\"}").app()).isEqualTo("unknown");
    }

    @Test
    void decode_noHostNoTimestamp_usesPeerAndReceiveTime() throws GelfException {
        LogRecord r = decode("{\"short_message\":\"x\",\"timestamp\":\"nope\",\"level\":42}");
        assertThat(r.host()).isEqualTo("10.0.0.9");
        assertThat(r.timestamp()).isEqualTo(NOW);
        assertThat(r.severity()).isEqualTo(Severity.UNKNOWN);
    }

    @Test
    void decode_manyLongFields_boundedAndMarked() throws GelfException {
        StringBuilder json = new StringBuilder("{\"short_message\":\"x\"");
        String longValue = "v".repeat(5000);
        for (int i = 0; i < 200; i++) {
            json.append(",\"_f").append(i).append("\":\"").append(longValue).append('"');
        }
        json.append(",\"_container_name\":\"late-app\",\"_container_id\":\"late-id\"");
        LogRecord r = decode(json.append('}').toString());
        assertThat(r.app()).isEqualTo("late-app");
        assertThat(r.source()).isEqualTo("late-id");
        assertThat(r.fields()).hasSizeLessThanOrEqualTo(GelfDecoder.MAX_FIELDS);
        assertThat(r.fields()).containsEntry("fields_truncated", "true");
        assertThat(r.fields().get("f0")).hasSize(GelfDecoder.MAX_FIELD_VALUE);
    }

    @Test
    void decode_numbersAndNestedValues_numbersAsTextNestedSkipped() throws GelfException {
        LogRecord r = decode("{\"short_message\":\"x\",\"_n\":12.5,\"_b\":true,\"_o\":{\"a\":1},\"_a\":[1]}");
        assertThat(r.fields()).containsEntry("n", "12.5").containsEntry("b", "true");
        assertThat(r.fields()).doesNotContainKeys("o", "a");
    }

    @Test
    void decode_missingShortMessage_parseError() {
        assertThatThrownBy(() -> decode("{\"host\":\"h\"}"))
                .isInstanceOfSatisfying(
                        GelfException.class, e -> assertThat(e.kind()).isEqualTo("parse_error"));
    }

    @Test
    void decode_notJson_parseError() {
        for (String bad : List.of("", "[]", "{\"short_message\":", "garbage", "{\"short_message\":\"x\"} trailing")) {
            try {
                decode(bad);
                // Trailing bytes after a complete object are tolerated, as Graylog does.
            } catch (GelfException e) {
                assertThat(e.kind()).isEqualTo("parse_error");
            }
        }
        assertThatThrownBy(() -> decode("garbage")).isInstanceOf(GelfException.class);
    }
}
