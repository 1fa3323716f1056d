package io.spillway.output.file;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLineFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String encode(LogRecord r) {
        LineBuffer b = new LineBuffer(16);
        new JsonLineFormat().encode(r, b);
        return new String(b.toByteArray(), StandardCharsets.UTF_8);
    }

    @Test
    void encode_record_parsesBackWithEveryField() throws Exception {
        String message = "line one\nline \"two\" \\ é 😀\u001b[0m\u009b";
        LogRecord r = new LogRecord(
                1_700_000_000_123_456_789L,
                "node-7",
                "web",
                "web.1",
                LogStream.STDERR,
                Severity.WARNING,
                message.getBytes(StandardCharsets.UTF_8),
                Map.of("region", "eu", "quote", "\"x\""));

        String line = encode(r);

        assertThat(line).endsWith("}\n").containsOnlyOnce("\n");
        assertThat(line).doesNotContain("\u001b", "\u009b");
        JsonNode n = JSON.readTree(line);
        assertThat(n.get("timestamp").asText()).isEqualTo("2023-11-14T22:13:20.123456789Z");
        assertThat(n.get("host").asText()).isEqualTo("node-7");
        assertThat(n.get("app").asText()).isEqualTo("web");
        assertThat(n.get("source").asText()).isEqualTo("web.1");
        assertThat(n.get("stream").asText()).isEqualTo("stderr");
        assertThat(n.get("severity").asText()).isEqualTo("warning");
        assertThat(n.get("message").asText()).isEqualTo(message);
        Map<String, String> fields = JSON.convertValue(n.get("fields"), new TypeReference<Map<String, String>>() {});
        assertThat(fields).isEqualTo(Map.of("region", "eu", "quote", "\"x\""));
    }

    @Test
    void encode_emptyMessageNoFields_parsesBack() throws Exception {
        JsonNode n = JSON.readTree(encode(FileTesting.record("web", "")));

        assertThat(n.get("message").asText()).isEmpty();
        assertThat(n.get("fields").isObject()).isTrue();
        assertThat(n.get("fields").size()).isZero();
    }

    @Test
    void encode_loneSurrogatesInStrings_replacedNotFailing() throws Exception {
        // A JSON input can carry "\ud800" escapes into host, source or fields: never a poison record.
        LogRecord r = new LogRecord(
                0,
                "host\ud800",
                "web",
                "\udc00src",
                LogStream.STDOUT,
                Severity.INFO,
                "m".getBytes(StandardCharsets.UTF_8),
                Map.of("k\ud800", "v\udfff", "ok", "😀"));

        JsonNode n = JSON.readTree(encode(r));

        assertThat(n.get("host").asText()).isEqualTo("host\uFFFD");
        assertThat(n.get("source").asText()).isEqualTo("\uFFFDsrc");
        assertThat(n.get("fields").get("k\uFFFD").asText()).isEqualTo("v\uFFFD");
        assertThat(n.get("fields").get("ok").asText()).isEqualTo("😀");
    }
}
