package io.spillway.input.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.input.syslog.SyslogDecoder;
import io.spillway.record.LogRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

/**
 * Frames as Heroku's log drains send them (the samples of Heroku's "HTTPS drains" documentation and
 * lines apps commonly log): the message follows the MSGID directly, whatever its first character.
 */
class LogplexHerokuFramesTest {
    private static final Instant ARRIVAL = Instant.parse("2026-11-25T00:00:00Z");
    private final LogplexDecoder decoder =
            new LogplexDecoder(new SyslogDecoder(InstantSource.fixed(ARRIVAL)), 4096, 100);

    private static String frame(String msg) {
        return msg.getBytes(StandardCharsets.UTF_8).length + " " + msg;
    }

    private LogRecord one(String msg) {
        DecodeResult r = decoder.decode(frame(msg).getBytes(StandardCharsets.UTF_8), null, "10.0.0.9", 1);
        assertThat(r.malformed()).as(r.firstError()).isZero();
        assertThat(r.records()).hasSize(1);
        return r.records().get(0);
    }

    @Test
    void decode_herokuDocSamples_exactMessagesAndSources() {
        // The two frames of Heroku's drain documentation, with their own octet counts, which include
        // each frame's trailing newline.
        String body = "83 <40>1 2012-11-30T06:45:29+00:00 host app web.3 - State changed from starting to up\n"
                + "119 <40>1 2012-11-30T06:45:26+00:00 host app web.3 - Starting process with command"
                + " `bundle exec rackup config.ru -p 24405`\n";
        DecodeResult r = decoder.decode(body.getBytes(StandardCharsets.UTF_8), null, "peer", 1);
        assertThat(r.malformed()).as(r.firstError()).isZero();
        assertThat(r.records())
                .extracting(LogRecord::messageText)
                .containsExactly(
                        "State changed from starting to up",
                        "Starting process with command `bundle exec rackup config.ru -p 24405`");
        assertThat(r.records()).extracting(LogRecord::source).containsOnly("web.3");
        assertThat(r.records().get(0).timestamp())
                .isEqualTo(Instant.parse("2012-11-30T06:45:29Z").toEpochMilli() * 1_000_000L);
    }

    @Test
    void decode_messageStartingWithBracket_keptWhole() {
        LogRecord r = one("<190>1 2026-11-25T10:00:00+00:00 host app web.1 - [INFO] Started GET \"/\"");
        assertThat(r.messageText()).isEqualTo("[INFO] Started GET \"/\"");
        assertThat(r.host()).isEqualTo("host");
    }

    @Test
    void decode_messageStartingWithSdLikeBracket_isTextNotAField() {
        LogRecord r = one("<190>1 2026-11-25T10:00:00+00:00 host app web.1 - [req-3 x=\"1\"] Completed 200 OK");
        assertThat(r.messageText()).isEqualTo("[req-3 x=\"1\"] Completed 200 OK");
        assertThat(r.fields().keySet()).noneMatch(k -> k.startsWith("req-3"));
    }

    @Test
    void decode_messageStartingWithDash_keepsTheDash() {
        LogRecord r = one("<190>1 2026-11-25T10:00:00+00:00 host app web.1 - - leading dash kept");
        assertThat(r.messageText()).isEqualTo("- leading dash kept");
    }

    @Test
    void decode_unbalancedBracket_isStillParsedWithItsOwnTimeAndHost() {
        // Before: an invalid SD made the whole frame a raw record with the arrival time and the peer as host.
        LogRecord r = one("<190>1 2026-11-25T10:00:00+00:00 host app web.1 - [oops no closing bracket");
        assertThat(r.messageText()).isEqualTo("[oops no closing bracket");
        assertThat(r.host()).isEqualTo("host");
        assertThat(r.timestamp())
                .isEqualTo(Instant.parse("2026-11-25T10:00:00Z").toEpochMilli() * 1_000_000L);
    }
}
