package io.spillway.guard;

import static io.spillway.guard.Fakes.config;
import static io.spillway.guard.Fakes.record;
import static io.spillway.guard.Fakes.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.spillway.Theories;
import io.spillway.record.LogRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedactStageTest {
    private final RedactStage stage;

    RedactStageTest() throws Exception {
        stage = new RedactStage(config(""));
    }

    private String redact(String message) {
        return text(stage.apply(record("web", message)));
    }

    @Test
    void apply_lineWithoutTrigger_returnsSameInstance() {
        LogRecord r = record("web", "GET /index.html 200 12ms user=alice id=42 {\"status\": \"ok\"} key: value");
        assertThat(stage.apply(r)).isSameAs(r);
    }

    @Test
    void apply_triggerWordWithoutSecretForm_returnsSameInstance() {
        // "token" appears, but in no key=value, JSON, hash or header form: nothing to change.
        LogRecord r = record("web", "refreshing the token cache took 3ms");
        assertThat(stage.apply(r)).isSameAs(r);
    }

    @Test
    void apply_changedLine_getsRedactedField() {
        LogRecord out = stage.apply(record("web", "login password=hunter2 ok"));
        assertThat(out.fields()).containsEntry("redacted", "true");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            query string       | GET /v1/data?api_key=sk_live_abc123&limit=10 200           | GET /v1/data?api_key=[FILTERED]&limit=10 200
            query, suffix key  | GET /cb?code=1&access_token=ya29.a0AfH6&x=1               | GET /cb?code=1&access_token=[FILTERED]&x=1
            key=value          | connecting with user=app password=s3cr3t! host=db       | connecting with user=app password=[FILTERED] host=db
            key=value quoted   | client_secret="a b c" next=1                              | client_secret=[FILTERED] next=1
            key=value case     | PASSWD=xyz APIKEY=k123 Secret=q                           | PASSWD=[FILTERED] APIKEY=[FILTERED] Secret=[FILTERED]
            JSON               | {"user": "bob", "password": "hunter2", "n": 1}            | {"user": "bob", "password": "[FILTERED]", "n": 1}
            JSON non-string    | {"token":123456,"ok":true}                                | {"token":"[FILTERED]","ok":true}
            JSON escaped quote | {"api_key": "ab\\"cd", "x": 1}                            | {"api_key": "[FILTERED]", "x": 1}
            Rails hash         | params {"user"=>"bob", "password"=>"hunter2"}             | params {"user"=>"bob", "password"=>"[FILTERED]"}
            Rails hash spaced  | {"client_secret" => "xyz"}                                | {"client_secret" => "[FILTERED]"}
            Authorization      | Authorization: Basic dXNlcjpwYXNz                         | Authorization: [FILTERED]
            Authorization mid  | headers Authorization: Bearer abc.def.ghi Host: x         | headers Authorization: [FILTERED] Host: x
            Authorization bare | authorization: sometoken123                               | authorization: [FILTERED]
            Bearer             | calling upstream with Bearer eyJhbGciOi.eyJzdWIi.SflKx   | calling upstream with Bearer [FILTERED]
            Bearer in kv       | auth_header=Bearer abc123                                 | auth_header=Bearer [FILTERED]
            token=Bearer       | token=Bearer abc123                                       | token=[FILTERED] [FILTERED]
            form field         | user[password]=hunter2&user[name]=bob                     | user[password]=[FILTERED]&user[name]=bob
            """)
    void apply_secretForm_valueGoneKeyKept(String form, String input, String expected) {
        assertThat(redact(input)).as(form).isEqualTo(expected);
    }

    @Test
    void apply_railsParameters_everyValueFilteredKeysKept() {
        String line = "  Parameters: {\"device_id\"=>\"sensor-1\", \"count\"=>3, \"ok\"=>nil, "
                + "\"user\"=>{\"name\"=>\"bob\", \"tags\"=>[\"a\", \"b\", {\"k\"=>\"v\"}]}, \"empty\"=>{}}";
        assertThat(redact(line))
                .isEqualTo("  Parameters: {\"device_id\"=>\"[FILTERED]\", \"count\"=>\"[FILTERED]\","
                        + " \"ok\"=>\"[FILTERED]\", \"user\"=>{\"name\"=>\"[FILTERED]\", \"tags\"=>[\"[FILTERED]\","
                        + " \"[FILTERED]\", {\"k\"=>\"[FILTERED]\"}]}, \"empty\"=>{}}");
    }

    @Test
    void apply_railsParametersNewInspectStyle_filtered() {
        assertThat(redact("Parameters: {device_id: \"s1\", \"password\" => \"x\"}"))
                .isEqualTo("Parameters: {device_id: \"[FILTERED]\", \"password\" => \"[FILTERED]\"}");
    }

    @Test
    void apply_railsParametersWithUploadedFile_objectFilteredWhole() {
        assertThat(redact(
                        "Parameters: {\"file\"=>#<ActionDispatch::Http::UploadedFile:0x1 @original_filename=\"a,b>.png\">,"
                                + " \"id\"=>\"7\"}"))
                .isEqualTo("Parameters: {\"file\"=>\"[FILTERED]\", \"id\"=>\"[FILTERED]\"}");
    }

    @Test
    void apply_truncatedRailsParameters_restOfLineFiltered() {
        // What the truncate stage leaves of a 7 KB dump: cut inside a value.
        String out =
                redact("Parameters: {\"device_id\"=>\"sensor-1\", \"api_key\"=>\"sk_live_26e5…[truncated 6000 bytes]");
        assertThat(out)
                .doesNotContain("sk_live")
                .startsWith("Parameters: {\"device_id\"=>\"[FILTERED]\", \"api_key\"=>");
    }

    @Test
    void apply_deeplyNestedParameters_boundedAndFiltered() {
        String line = "Parameters: " + "{\"a\"=>".repeat(5000) + "\"secret-value\"" + "}".repeat(5000);
        String out = redact(line);
        assertThat(out).doesNotContain("secret-value").contains("\"a\"=>");
    }

    @Test
    void apply_nonAsciiAroundSecret_bytesKeptExactly() {
        String line = "utilisateur=zoë mot de passe password=ünïcödé 🔑 fin";
        assertThat(redact(line)).isEqualTo("utilisateur=zoë mot de passe password=[FILTERED] 🔑 fin");
    }

    @Test
    void apply_invalidUtf8OutsideSecret_keptByteForByte() {
        byte[] head = {(byte) 0xC3, (byte) 0x28, ' '};
        byte[] tail = " token=abc".getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[head.length + tail.length];
        System.arraycopy(head, 0, message, 0, head.length);
        System.arraycopy(tail, 0, message, head.length, tail.length);
        LogRecord out = stage.apply(record("web", message));
        byte[] expectedTail = " token=[FILTERED]".getBytes(StandardCharsets.US_ASCII);
        byte[] expected = new byte[head.length + expectedTail.length];
        System.arraycopy(head, 0, expected, 0, head.length);
        System.arraycopy(expectedTail, 0, expected, head.length, expectedTail.length);
        assertThat(out.messageBytes()).isEqualTo(expected);
    }

    @Test
    void apply_userRules_runAfterBuiltinsLiteralAndRegex() throws Exception {
        RedactStage custom = new RedactStage(config("""
                redact:
                  rules:
                    - {match: "4111-1111-1111-1111", replace: "[CARD]"}
                    - {match: "ssn=(\\\\d{3})-\\\\d{2}-\\\\d{4}", regex: true, replace: "ssn=$1-XX-XXXX"}
                    - {match: "café"}
                """));
        String out = text(custom.apply(record("web", "card 4111-1111-1111-1111 ssn=123-45-6789 café password=x")));
        assertThat(out).isEqualTo("card [CARD] ssn=123-XX-XXXX [FILTERED] password=[FILTERED]");
    }

    @Test
    void apply_builtinOffForOneApp_onlyUserRulesThere() throws Exception {
        RedactStage custom = new RedactStage(config("""
                apps:
                  debug-*: {redact: {builtin: false, rules: [{match: "internal"}]}}
                  legacy: {redact: {enabled: false}}
                """));
        assertThat(text(custom.apply(record("debug-1", "password=x internal")))).isEqualTo("password=x [FILTERED]");
        LogRecord legacy = record("legacy", "password=x");
        assertThat(custom.apply(legacy)).isSameAs(legacy);
        assertThat(text(custom.apply(record("web", "password=x")))).isEqualTo("password=[FILTERED]");
    }

    @Test
    void apply_railsErrorPageCorpus_noSecretValueSurvivesKeysDo() throws Exception {
        List<String> lines = Files.readAllLines(corpus().resolve("rails-error-page.log"), StandardCharsets.UTF_8);
        // The secret values in that file, read from it: three api_key values and the password.
        List<String> secrets =
                List.of("sk_live_26e53057f11a7d11", "sk_live_f736b98e47d81f6c", "sk_live_c2ad005104b76004", "hunter2");
        String whole = String.join("\n", lines);
        for (String s : secrets) {
            assertThat(whole).as("corpus still holds %s", s).contains(s);
        }
        int parameterLines = 0;
        for (String line : lines) {
            LogRecord in = record("error-page", line);
            LogRecord out = stage.apply(in);
            String redacted = text(out);
            for (String s : secrets) {
                assertThat(redacted).doesNotContain(s);
            }
            if (line.contains("Parameters:")) {
                parameterLines++;
                assertThat(redacted)
                        .contains("\"api_key\"=>\"[FILTERED]\"", "\"password\"=>\"[FILTERED]\"")
                        .contains("\"device_id\"=>", "\"readings\"=>{\"r000\"=>\"[FILTERED]\"")
                        .doesNotContain("sensor-0");
                assertThat(out.fields()).containsEntry("redacted", "true");
            } else {
                assertThat(out).isSameAs(in);
            }
        }
        assertThat(parameterLines).isEqualTo(3);
    }

    @Test
    void apply_arbitraryBytes_neverThrowsAndKeepsUnchangedSameInstance() {
        Theories.qt(300).forAll(Theories.byteArrays(0, 300)).checkAssert(message -> {
            LogRecord in = record("web", message);
            LogRecord out = stage.apply(in);
            if (!out.fields().containsKey("redacted")) {
                assertThat(out).isSameAs(in);
            }
        });
    }

    static Path corpus() {
        String dir = System.getProperty("spillway.corpus");
        if (dir == null || !Files.isDirectory(Path.of(dir))) {
            fail("system property spillway.corpus must name the corpus directory (testdata/corpus); got " + dir);
        }
        return Path.of(dir);
    }
}
