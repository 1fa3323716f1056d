package io.spillway.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.alert.notify.Receiver.Reply;
import io.spillway.event.EventSeverity;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PagerDutyNotifierTest {
    static final String KEY = "R0UT1NGKEY0123456789abcdefABCDEF";
    static final String ACCEPTED =
            "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"disk_watermark/node-7//var/lib/docker\"}";

    static Notifier pd(Receiver r) throws Exception {
        return Targets.build(
                        "targets:\n  pd:\n    type: pagerduty\n    routing_key_env: PD_KEY\n    url: "
                                + r.url("/v2/enqueue") + "\n",
                        Map.of("PD_KEY", KEY))
                .get("pd");
    }

    static JsonNode sendAndRead(Receiver r, Notifier n, Notification note) throws Exception {
        n.send(note);
        Receiver.Request req = r.take();
        assertThat(req.path()).isEqualTo("/v2/enqueue");
        assertThat(req.header("Content-Type")).isEqualTo("application/json");
        return new ObjectMapper().readTree(req.body());
    }

    @Test
    void send_trigger_eventsV2TriggerWithPayloadAndLinks() throws Exception {
        try (Receiver r = new Receiver(Reply.of(202, ACCEPTED))) {
            JsonNode json = sendAndRead(r, pd(r), Samples.trigger());
            assertThat(json.get("routing_key").asText()).isEqualTo(KEY);
            assertThat(json.get("event_action").asText()).isEqualTo("trigger");
            assertThat(json.get("dedup_key").asText()).isEqualTo("disk_watermark/node-7//var/lib/docker");
            JsonNode p = json.get("payload");
            assertThat(p.get("summary").asText()).isEqualTo("/var/lib/docker 91% used");
            assertThat(p.get("source").asText()).isEqualTo("node-7");
            assertThat(p.get("severity").asText()).isEqualTo("critical");
            assertThat(p.get("component").asText()).isEqualTo("sensors-api");
            assertThat(p.get("timestamp").asText()).isEqualTo("2026-11-26T03:12:09Z");
            assertThat(p.get("custom_details").get("used_percent").asText()).isEqualTo("91");
            assertThat(p.get("custom_details").get("top_writer").asText()).contains("3.1 GB/min");
            assertThat(json.get("links").get(0).get("href").asText())
                    .isEqualTo("https://spillway.example.com/ack/tok-123");
            assertThat(json.get("links").get(0).get("text").asText()).isEqualTo("Acknowledge in Spillway");
            assertThat(json.get("links").get(1).get("href").asText())
                    .isEqualTo("https://spillway.example.com/incidents/42");
        }
    }

    @Test
    void send_escalateAndRenotify_areTriggers() throws Exception {
        try (Receiver r = new Receiver(Reply.of(202, ACCEPTED))) {
            Notifier n = pd(r);
            assertThat(sendAndRead(r, n, Samples.disk("escalate", "triggered"))
                            .get("event_action")
                            .asText())
                    .isEqualTo("trigger");
            assertThat(sendAndRead(r, n, Samples.disk("renotify", "triggered"))
                            .get("event_action")
                            .asText())
                    .isEqualTo("trigger");
        }
    }

    @Test
    void send_acknowledgeAndResolve_onlyKeyDedupAndAction() throws Exception {
        try (Receiver r = new Receiver(Reply.of(202, ACCEPTED))) {
            Notifier n = pd(r);
            JsonNode ack = sendAndRead(r, n, Samples.disk("acknowledge", "acknowledged"));
            assertThat(ack.get("event_action").asText()).isEqualTo("acknowledge");
            assertThat(ack.get("dedup_key").asText()).isEqualTo("disk_watermark/node-7//var/lib/docker");
            assertThat(ack.has("payload")).isFalse();
            JsonNode res = sendAndRead(r, n, Samples.disk("resolve", "resolved"));
            assertThat(res.get("event_action").asText()).isEqualTo("resolve");
            assertThat(res.get("routing_key").asText()).isEqualTo(KEY);
            assertThat(res.has("payload")).isFalse();
        }
    }

    @Test
    void send_selfTest_resolvesADedicatedKeySoNobodyIsPaged() throws Exception {
        try (Receiver r = new Receiver(Reply.of(202, ACCEPTED))) {
            JsonNode json = sendAndRead(r, pd(r), NotifierSelfTest.testNotification("pd", "node-7", Samples.TIME));
            assertThat(json.get("event_action").asText()).isEqualTo("resolve");
            assertThat(json.get("dedup_key").asText()).isEqualTo("spillway-self-test/node-7/pd");
        }
    }

    @Test
    void render_severities_mapToEventsV2Values() {
        Map<EventSeverity, String> expected = Map.of(
                EventSeverity.CRITICAL, "critical", EventSeverity.WARNING, "warning", EventSeverity.INFO, "info");
        for (EventSeverity s : EventSeverity.values()) {
            Notification n = new Notification(
                    "trigger", "1", "k", s, "triggered", "x", "h", null, null, Map.of(), "", null, 0, Samples.TIME);
            assertThat(PagerDutyNotifier.severity(n)).isEqualTo(expected.get(s));
        }
    }

    @Test
    void render_longSummaryAndDedupKey_cutToApiLimits() throws Exception {
        Notification n = new Notification(
                "trigger",
                "1",
                "k".repeat(400),
                EventSeverity.WARNING,
                "triggered",
                "s".repeat(5000),
                "h",
                null,
                null,
                Map.of(),
                "",
                null,
                0,
                Samples.TIME);
        JsonNode json = new ObjectMapper().readTree(PagerDutyNotifier.render(n, KEY, "pd"));
        assertThat(json.get("payload").get("summary").asText()).hasSize(PagerDutyNotifier.MAX_SUMMARY);
        assertThat(json.get("dedup_key").asText()).hasSize(PagerDutyNotifier.MAX_DEDUP_KEY);
        assertThat(json.get("links")).isEmpty();
        // Two different long keys stay different.
        Notification other = new Notification(
                "trigger",
                "1",
                "k".repeat(399) + "j",
                EventSeverity.WARNING,
                "triggered",
                "s",
                "h",
                null,
                null,
                Map.of(),
                "",
                null,
                0,
                Samples.TIME);
        assertThat(PagerDutyNotifier.dedupKey(other.dedupKey()))
                .isNotEqualTo(json.get("dedup_key").asText());
    }

    @Test
    void send_400_notRetryableAndKeyNotShown() throws Exception {
        try (Receiver r =
                new Receiver(Reply.of(400, "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\"}"))) {
            NotifyException e = catchThrowableOfType(NotifyException.class, () -> pd(r).send(Samples.trigger()));
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage())
                    .contains("pagerduty target \"pd\"")
                    .contains("HTTP 400")
                    .doesNotContain(KEY);
        }
    }

    @Test
    void send_429And500_retryable() throws Exception {
        try (Receiver r = new Receiver(Reply.of(429), Reply.of(500))) {
            Notifier n = pd(r);
            for (int i = 0; i < 2; i++) {
                NotifyException e = catchThrowableOfType(NotifyException.class, () -> n.send(Samples.trigger()));
                assertThat(e.retryable()).isTrue();
            }
        }
    }
}
