package io.spillway.input.gelf;

import static io.spillway.input.gelf.Gelf.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import org.junit.jupiter.api.Test;

/** The app and stream mapping of docs/inputs/docker.md for GELF (issue 15). */
class GelfMappingTest {
    private final GelfDecoder decoder = new GelfDecoder("_container_name");

    private LogRecord decode(String json) throws GelfException {
        return decoder.decode(utf8(json), "10.0.0.9", 1);
    }

    @Test
    void app_withoutContainerNameOrTag_fallsBackToAppThenFacilityThenUnknown() throws GelfException {
        assertThat(decode("{\"short_message\":\"x\",\"_app\":\"billing\",\"facility\":\"rails\"}")
                        .app())
                .isEqualTo("billing");
        assertThat(decode("{\"short_message\":\"x\",\"facility\":\"rails\"}").app())
                .isEqualTo("rails");
        assertThat(decode("{\"short_message\":\"x\",\"_tag\":\"web\",\"_app\":\"billing\"}")
                        .app())
                .isEqualTo("web");
        assertThat(decode("{\"short_message\":\"x\"}").app()).isEqualTo("unknown");
    }

    @Test
    void stream_dockerLevels_stdoutAndStderr_elseUnknown() throws GelfException {
        String docker = ",\"_container_id\":\"" + "a".repeat(64) + "\"";
        assertThat(decode("{\"short_message\":\"x\",\"level\":6" + docker + "}").stream())
                .isEqualTo(LogStream.STDOUT);
        assertThat(decode("{\"short_message\":\"x\",\"level\":3" + docker + "}").stream())
                .isEqualTo(LogStream.STDERR);
        assertThat(decode("{\"short_message\":\"x\",\"level\":4" + docker + "}").stream())
                .as("a level Docker never sends")
                .isEqualTo(LogStream.UNKNOWN);
        assertThat(decode("{\"short_message\":\"x\",\"level\":3}").stream())
                .as("not from Docker: a level is not a stream")
                .isEqualTo(LogStream.UNKNOWN);
        assertThat(decode("{\"short_message\":\"x\",\"level\":6" + docker + "}").source())
                .isEqualTo("a".repeat(64));
    }
}
