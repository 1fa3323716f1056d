package io.spillway.alert.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.alert.signal.IncidentSource;
import io.spillway.alert.signal.Signal;
import io.spillway.config.DataSize;
import io.spillway.event.EventSeverity;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

public class AlertmanagerIntakeTest {
    static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");

    /** The shape Alertmanager's webhook notifier posts (payload version 4). */
    public static final String FIRING = """
            {
              "version": "4",
              "groupKey": "{}/{severity=\\"critical\\"}:{alertname=\\"NodeDown\\"}",
              "truncatedAlerts": 0,
              "status": "firing",
              "receiver": "spillway",
              "groupLabels": {"alertname": "NodeDown"},
              "commonLabels": {"alertname": "NodeDown", "severity": "critical", "job": "node"},
              "commonAnnotations": {"summary": "node-7 is unreachable"},
              "externalURL": "http://alertmanager.example.org:9093",
              "alerts": [
                {
                  "status": "firing",
                  "labels": {"alertname": "NodeDown", "instance": "node-7:9100", "job": "node", "severity": "critical"},
                  "annotations": {"summary": "node-7 is unreachable", "runbook_url": "https://runbooks.example.org/node-down"},
                  "startsAt": "2026-05-01T11:58:26.739266876+02:00",
                  "endsAt": "0001-01-01T00:00:00Z",
                  "generatorURL": "http://prometheus.example.org:9090/graph?g0.expr=up+%3D%3D+0",
                  "fingerprint": "1a30ba71cca2921f"
                },
                {
                  "status": "firing",
                  "labels": {"alertname": "HighLatency", "instance": "node-7:8080", "app": "checkout", "severity": "warning"},
                  "annotations": {"description": "p99 above 2s"},
                  "startsAt": "2026-05-01T09:58:00Z",
                  "endsAt": "0001-01-01T00:00:00Z",
                  "generatorURL": "http://prometheus.example.org:9090/graph",
                  "fingerprint": "c6eadffa33fcdf37"
                }
              ]
            }
            """;

    public static final String RESOLVED = """
            {
              "version": "4", "groupKey": "{}:{alertname=\\"NodeDown\\"}", "truncatedAlerts": 0, "status": "resolved",
              "receiver": "spillway", "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
              "externalURL": "http://alertmanager.example.org:9093",
              "alerts": [
                {"status": "resolved", "labels": {"alertname": "NodeDown", "instance": "node-7:9100"},
                 "annotations": {}, "startsAt": "2026-05-01T09:58:26Z", "endsAt": "2026-05-01T10:10:00Z",
                 "generatorURL": "", "fingerprint": "1a30ba71cca2921f"}
              ]
            }
            """;

    final AlertmanagerIntake intake = new AlertmanagerIntake(IntakeConfig.defaults());

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void parse_firingPayload_oneSignalPerAlert() {
        AlertmanagerIntake.Parsed p = intake.parse(b(FIRING), NOW);
        assertThat(p.error()).isNull();
        assertThat(p.items()).hasSize(2);
        AlertmanagerIntake.Item down = p.items().get(0);
        assertThat(down.firing()).isTrue();
        Signal s = down.signal();
        assertThat(s.source()).isEqualTo(IncidentSource.ALERTMANAGER);
        assertThat(s.dedupKey()).isEqualTo("alertmanager/1a30ba71cca2921f");
        assertThat(s.severity()).isEqualTo(EventSeverity.CRITICAL);
        assertThat(s.host()).isEqualTo("node-7");
        assertThat(s.app()).isNull();
        assertThat(s.summary()).isEqualTo("[NodeDown] node-7 is unreachable");
        assertThat(s.labels()).containsEntry("job", "node");
        assertThat(s.details())
                .containsEntry("runbook_url", "https://runbooks.example.org/node-down")
                .containsKey("group_key");
        assertThat(s.time()).isEqualTo(Instant.parse("2026-05-01T09:58:26.739266876Z"));

        Signal latency = p.items().get(1).signal();
        assertThat(latency.app()).isEqualTo("checkout");
        assertThat(latency.severity()).isEqualTo(EventSeverity.WARNING);
        assertThat(latency.summary()).isEqualTo("[HighLatency] p99 above 2s");
    }

    @Test
    void parse_resolvedPayload_clearsSameKey() {
        AlertmanagerIntake.Parsed p = intake.parse(b(RESOLVED), NOW);
        assertThat(p.error()).isNull();
        assertThat(p.items()).singleElement().satisfies(i -> {
            assertThat(i.firing()).isFalse();
            assertThat(i.signal().dedupKey()).isEqualTo("alertmanager/1a30ba71cca2921f");
        });
    }

    @Test
    void parse_noFingerprint_dedupByLabels() {
        String a =
                "{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"X\",\"b\":\"2\"}}]}";
        String b =
                "{\"version\":\"4\",\"alerts\":[{\"status\":\"resolved\",\"labels\":{\"b\":\"2\",\"alertname\":\"X\"}}]}";
        String key = intake.parse(b(a), NOW).items().get(0).signal().dedupKey();
        assertThat(key)
                .startsWith("alertmanager/")
                .isEqualTo(intake.parse(b(b), NOW).items().get(0).signal().dedupKey());
    }

    @Test
    void parse_malformed_400WithEveryProblem() {
        assertThat(intake.parse(b("{not json"), NOW).error()).satisfies(e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.body()).contains("not valid JSON");
        });
        assertThat(intake.parse(b("[]"), NOW).error().status()).isEqualTo(400);
        IntakeResult bad = intake.parse(
                        b(
                                "{\"version\":\"3\",\"alerts\":[{\"status\":\"weird\",\"labels\":{\"a\":\"b\"}},{\"status\":\"firing\"}]}"),
                        NOW)
                .error();
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("version").contains("alerts[0].status").contains("alerts[1].labels");
        assertThat(intake.parse(b("{\"alerts\":{}}"), NOW).error().body()).contains("alerts: required");
    }

    @Test
    void parse_overBounds_413() {
        AlertmanagerIntake small = new AlertmanagerIntake(new IntakeConfig(DataSize.ofKiB(1), 2, List.of()));
        assertThat(small.parse(new byte[2048], NOW).error().status()).isEqualTo(413);
        String three = "{\"alerts\":[{},{},{}]}";
        assertThat(small.parse(b(three), NOW).error().body()).contains("max_alerts");
        StringBuilder deep = new StringBuilder();
        deep.append("[".repeat(200)).append("]".repeat(200));
        assertThat(intake.parse(b(deep.toString()), NOW).error().status()).isEqualTo(400);
    }
}
