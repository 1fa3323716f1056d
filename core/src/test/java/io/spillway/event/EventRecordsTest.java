package io.spillway.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventRecordsTest {
    private static Event event(String app, Event.State state) {
        return new Event(
                Instant.parse("2026-11-25T03:00:00.000000123Z"),
                "disk_reclaimed",
                "/var/lib/docker/containers/c/c-json.log",
                EventSeverity.WARNING,
                state,
                "node-7",
                app,
                "reclaim: truncated c-json.log",
                Map.of("removed_bytes", "42"));
    }

    @Test
    void appEvent_isALineInSpillwayAndInTheAppsOwnStream() {
        List<LogRecord> lines = EventRecords.of(event("sensors-api", Event.State.FIRING));
        assertThat(lines).extracting(LogRecord::app).containsExactly("_spillway", "sensors-api");
        LogRecord r = lines.getFirst();
        assertThat(r.messageText()).isEqualTo("[disk_reclaimed firing warning] reclaim: truncated c-json.log");
        assertThat(r.stream()).isEqualTo(LogStream.EVENT);
        assertThat(r.severity()).isEqualTo(Severity.WARNING);
        assertThat(r.timestamp())
                .isEqualTo(Instant.parse("2026-11-25T03:00:00Z").getEpochSecond() * 1_000_000_000L + 123);
        assertThat(r.fields())
                .containsEntry("event", "disk_reclaimed")
                .containsEntry("event_state", "firing")
                .containsEntry("removed_bytes", "42");
    }

    @Test
    void hostEvent_clearing_isOneNoticeLine() {
        List<LogRecord> lines = EventRecords.of(event(null, Event.State.CLEARED));
        assertThat(lines).hasSize(1);
        assertThat(lines.getFirst().severity()).isEqualTo(Severity.NOTICE);
        assertThat(lines.getFirst().messageText()).startsWith("[disk_reclaimed cleared warning]");
    }
}
