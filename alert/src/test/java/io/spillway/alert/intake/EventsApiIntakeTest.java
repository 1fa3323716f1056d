package io.spillway.alert.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.alert.signal.IncidentSource;
import io.spillway.config.DataSize;
import io.spillway.event.EventSeverity;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

public class EventsApiIntakeTest {
    static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");

    /** An Events API v2 trigger as PagerDuty documents it. */
    public static final String TRIGGER = """
            {
              "payload": {
                "summary": "DISK at 99% on machine prod-datapipe03.example.com",
                "timestamp": "2026-05-01T11:58:13.000+0000",
                "severity": "critical",
                "source": "prod-datapipe03.example.com",
                "component": "mysql",
                "group": "prod-datapipe",
                "class": "disk",
                "custom_details": {"free space": "1%", "ping time": "1500ms", "load avg": 0.75}
              },
              "routing_key": "R015XXXXXXXXXXXXXXXXXXXXXXXXXXXX",
              "dedup_key": "samplekeyhere",
              "event_action": "trigger",
              "client": "Sample Monitoring Service",
              "client_url": "https://monitoring.example.com"
            }
            """;

    final EventsApiIntake intake = new EventsApiIntake(IntakeConfig.defaults());

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void parse_trigger_signalMapped() {
        EventsApiIntake.Parsed p = intake.parse(b(TRIGGER), NOW);
        assertThat(p.error()).isNull();
        assertThat(p.signal().time()).isEqualTo(Instant.parse("2026-05-01T11:58:13Z"));
        assertThat(p.action()).isEqualTo(EventsApiIntake.Action.TRIGGER);
        assertThat(p.dedupKey()).isEqualTo("samplekeyhere");
        assertThat(p.signal()).satisfies(s -> {
            assertThat(s.source()).isEqualTo(IncidentSource.EVENTS_API);
            assertThat(s.dedupKey()).isEqualTo("events/samplekeyhere");
            assertThat(s.severity()).isEqualTo(EventSeverity.CRITICAL);
            assertThat(s.host()).isEqualTo("prod-datapipe03.example.com");
            assertThat(s.app()).isEqualTo("mysql");
            assertThat(s.labels()).containsEntry("group", "prod-datapipe").containsEntry("class", "disk");
            assertThat(s.details()).containsEntry("free space", "1%").containsEntry("load avg", "0.75");
        });
    }

    @Test
    void parse_triggerWithoutDedupKey_generatesOne() {
        EventsApiIntake.Parsed p = intake.parse(
                b("{\"routing_key\":\"k\",\"event_action\":\"trigger\",\"payload\":{\"summary\":\"s\",\"source\":\"h\","
                        + "\"severity\":\"info\"}}"),
                NOW);
        assertThat(p.error()).isNull();
        assertThat(p.dedupKey()).hasSize(32);
        assertThat(p.signal().app()).isNull();
        assertThat(EventsApiIntake.success(p.dedupKey()).body())
                .isEqualTo("{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"" + p.dedupKey()
                        + "\"}");
        assertThat(EventsApiIntake.success("x").status()).isEqualTo(202);
    }

    @Test
    void parse_acknowledgeAndResolve_needOnlyDedupKey() {
        EventsApiIntake.Parsed ack = intake.parse(
                b("{\"routing_key\":\"k\",\"event_action\":\"acknowledge\",\"dedup_key\":\"samplekeyhere\"}"), NOW);
        assertThat(ack.error()).isNull();
        assertThat(ack.action()).isEqualTo(EventsApiIntake.Action.ACKNOWLEDGE);
        EventsApiIntake.Parsed res = intake.parse(
                b("{\"routing_key\":\"k\",\"event_action\":\"resolve\",\"dedup_key\":\"samplekeyhere\"}"), NOW);
        assertThat(res.action()).isEqualTo(EventsApiIntake.Action.RESOLVE);
        assertThat(res.engineKey()).isEqualTo("events/samplekeyhere");
    }

    @Test
    void parse_invalid_400ShapedLikePagerDuty() {
        IntakeResult r = intake.parse(b("{\"event_action\":\"trigger\",\"payload\":{\"severity\":\"urgent\"}}"), NOW)
                .error();
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body())
                .startsWith("{\"status\":\"invalid event\",\"message\":\"Event object is invalid\",\"errors\":[")
                .contains("'routing_key' is missing")
                .contains("'payload.summary' is missing")
                .contains("'payload.source' is missing")
                .contains("'payload.severity' must be one of");
        assertThat(intake.parse(b("{\"routing_key\":\"k\",\"event_action\":\"resolve\"}"), NOW)
                        .error()
                        .body())
                .contains("'dedup_key' is required for resolve");
        assertThat(intake.parse(b("{\"routing_key\":\"k\",\"event_action\":\"explode\"}"), NOW)
                        .error()
                        .body())
                .contains("'event_action' must be one of");
        assertThat(intake.parse(b("nope"), NOW).error().status()).isEqualTo(400);
        assertThat(intake.parse(b(TRIGGER.replace("samplekeyhere", "k".repeat(300))), NOW)
                        .error()
                        .body())
                .contains("'dedup_key' must be at most 255");
    }

    @Test
    void parse_routingKeyNotConfigured_refused() {
        EventsApiIntake strict = new EventsApiIntake(
                new IntakeConfig(DataSize.ofMiB(1), 1000, List.of("R015XXXXXXXXXXXXXXXXXXXXXXXXXXXX")));
        assertThat(strict.parse(b(TRIGGER.replace("+0000", "Z")), NOW).error()).isNull();
        assertThat(strict.parse(b(TRIGGER.replace("R015", "R016")), NOW).error().body())
                .contains("alert.intake.routing_keys");
    }

    @Test
    void parse_bodyOverMaxBody_413() {
        EventsApiIntake small = new EventsApiIntake(new IntakeConfig(DataSize.ofKiB(1), 1000, List.of()));
        assertThat(small.parse(new byte[1025], NOW).error().status()).isEqualTo(413);
    }
}
