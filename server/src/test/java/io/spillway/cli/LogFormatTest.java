package io.spillway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class LogFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode rec(String app, String source, String severity, String message, String fieldsJson)
            throws Exception {
        return JSON.readTree("{\"cursor\":\"c\",\"time\":\"2026-11-25T10:00:00.123456789Z\",\"host\":\"h\",\"app\":\""
                + app + "\",\"source\":\"" + source + "\",\"stream\":\"stdout\",\"severity\":\"" + severity
                + "\",\"message\":" + JSON.writeValueAsString(message) + ",\"fields\":" + fieldsJson + "}");
    }

    @Test
    void format_noColour_isHerokuStyleWithMicrosecondsAndOffset() throws Exception {
        assertThat(new LogFormat(false).format(rec("web", "web.1", "info", "Processing GET /", "{}")))
                .isEqualTo("2026-11-25T10:00:00.123456+00:00 web[web.1]: Processing GET /");
    }

    @Test
    void format_emptySource_isAppAlone() throws Exception {
        assertThat(new LogFormat(false).format(rec("web", "", "info", "m", "{}")))
                .isEqualTo("2026-11-25T10:00:00.123456+00:00 web: m");
    }

    @Test
    void format_noColour_hasNoEscapeEvenForMarkersAndErrors() throws Exception {
        LogFormat f = new LogFormat(false);
        assertThat(f.format(rec(
                        "web", "spillway", "warning", "spillway: dropped 3 lines", "{\"spillway\":\"drop_marker\"}")))
                .doesNotContain("\u001b");
        assertThat(f.format(rec("web", "web.1", "err", "boom", "{}"))).doesNotContain("\u001b");
        assertThat(f.notice("n")).isEqualTo("n");
    }

    @Test
    void format_colour_highlightsDropMarkersAndSpillwayEventsAndErrors() throws Exception {
        LogFormat f = new LogFormat(true);
        assertThat(f.format(rec(
                        "web", "spillway", "warning", "spillway: dropped 3 lines", "{\"spillway\":\"drop_marker\"}")))
                .startsWith(LogFormat.MARKER)
                .endsWith(LogFormat.RESET);
        assertThat(f.format(rec("_spillway", "spillway", "warning", "x", "{}"))).startsWith(LogFormat.MARKER);
        assertThat(f.format(rec("web", "web.1", "err", "boom", "{}")))
                .contains(LogFormat.CYAN + "web[web.1]:" + LogFormat.RESET)
                .contains(LogFormat.RED + "boom" + LogFormat.RESET);
        assertThat(f.format(rec("web", "web.1", "info", "fine", "{}"))).endsWith(" fine");
    }

    @Test
    void format_controlCharacters_areEscapedNotPassedToTheTerminal() throws Exception {
        assertThat(new LogFormat(false).format(rec("web", "w", "info", "a\u001b[2Jb\tc\u0007", "{}")))
                .endsWith("a\\x1b[2Jb\tc\\x07");
    }
}
