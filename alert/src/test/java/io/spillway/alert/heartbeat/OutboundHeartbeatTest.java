package io.spillway.alert.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.spillway.alert.notify.Receiver;
import io.spillway.alert.notify.Receiver.Reply;
import io.spillway.config.ConfigBinder;
import io.spillway.config.ConfigException;
import io.spillway.event.Event;
import io.spillway.metrics.Metrics;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class OutboundHeartbeatTest {
    final List<Event> events = new CopyOnWriteArrayList<>();
    final Metrics metrics = new Metrics();
    final InstantSource clock = InstantSource.fixed(Instant.parse("2026-11-26T03:12:09Z"));

    static HeartbeatConfig config(String yaml) throws ConfigException {
        return ConfigBinder.bind(HeartbeatConfig.class, ConfigBinder.readYaml(yaml, "test.yaml"));
    }

    OutboundHeartbeat heartbeat(String url, String extra) throws ConfigException {
        return new OutboundHeartbeat(
                config("enabled: true\nurl: " + url + "\ntimeout: 2s\n" + extra),
                "node-7",
                events::add,
                metrics,
                clock,
                () -> Map.of("open_incidents", "2"));
    }

    double pings(String result) {
        return metrics.registry().scrape().stream()
                .filter(s -> s.getMetadata().getName().equals("spillway_heartbeat_pings"))
                .flatMap(s -> ((CounterSnapshot) s).getDataPoints().stream())
                .filter(d -> result.equals(d.getLabels().get("result")))
                .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue)
                .sum();
    }

    @Test
    void pingOnce_post_sendsJsonStatus() throws Exception {
        try (Receiver r = new Receiver(Reply.of(200, "OK"));
                OutboundHeartbeat hb = heartbeat(r.url("/ping/8f3e"), "")) {
            assertThat(hb.pingOnce()).isTrue();
            Receiver.Request req = r.take();
            assertThat(req.method()).isEqualTo("POST");
            assertThat(req.path()).isEqualTo("/ping/8f3e");
            assertThat(req.header("Content-Type")).isEqualTo("application/json");
            JsonNode json = new ObjectMapper().readTree(req.body());
            assertThat(json.get("host").asText()).isEqualTo("node-7");
            assertThat(json.get("status").asText()).isEqualTo("ok");
            assertThat(json.get("time").asText()).isEqualTo("2026-11-26T03:12:09Z");
            assertThat(json.get("sequence").asLong()).isEqualTo(1);
            assertThat(json.get("details").get("open_incidents").asText()).isEqualTo("2");
            assertThat(pings("ok")).isEqualTo(1.0);
        }
    }

    @Test
    void pingOnce_get_sendsNoBody() throws Exception {
        try (Receiver r = new Receiver(Reply.of(200));
                OutboundHeartbeat hb = heartbeat(r.url("/ping"), "method: get\n")) {
            assertThat(hb.pingOnce()).isTrue();
            Receiver.Request req = r.take();
            assertThat(req.method()).isEqualTo("GET");
            assertThat(req.body()).isEmpty();
        }
    }

    @Test
    void pingOnce_keepsFailing_firesAfterThresholdThenClearsOnSuccess() throws Exception {
        try (Receiver r = new Receiver(Reply.of(503), Reply.of(503), Reply.of(500), Reply.of(500), Reply.of(200));
                OutboundHeartbeat hb = heartbeat(r.url("/ping"), "failures_before_event: 3\n")) {
            assertThat(hb.pingOnce()).isFalse();
            assertThat(hb.pingOnce()).isFalse();
            assertThat(events).isEmpty();
            assertThat(hb.consecutiveFailures()).isEqualTo(2);

            assertThat(hb.pingOnce()).isFalse();
            assertThat(events).singleElement().satisfies(e -> {
                assertThat(e.kind()).isEqualTo("heartbeat_ping_failed");
                assertThat(e.state()).isEqualTo(Event.State.FIRING);
                assertThat(e.host()).isEqualTo("node-7");
                assertThat(e.details()).containsEntry("consecutive_failures", "3");
                assertThat(e.summary()).contains("HTTP 500");
            });
            assertThat(hb.pingOnce()).isFalse();
            assertThat(events).hasSize(2);

            assertThat(hb.pingOnce()).isTrue();
            assertThat(events).extracting(Event::state).endsWith(Event.State.CLEARED);
            assertThat(hb.consecutiveFailures()).isZero();
            assertThat(pings("failed")).isEqualTo(4.0);
            assertThat(pings("ok")).isEqualTo(1.0);
        }
    }

    @Test
    void pingOnce_nothingListening_countsFailure() throws Exception {
        try (OutboundHeartbeat hb = heartbeat("http://127.0.0.1:" + Receiver.deadPort() + "/ping", "")) {
            assertThat(hb.pingOnce()).isFalse();
            assertThat(pings("failed")).isEqualTo(1.0);
        }
    }

    @Test
    void start_enabled_pingsAtOnceOnItsThread() throws Exception {
        try (Receiver r = new Receiver(Reply.of(200));
                OutboundHeartbeat hb = heartbeat(r.url("/ping"), "interval: 1h\n")) {
            hb.start();
            assertThat(r.take().path()).isEqualTo("/ping");
        }
    }

    @Test
    void start_disabled_neverPings() throws Exception {
        try (Receiver r = new Receiver(Reply.of(200));
                OutboundHeartbeat hb = new OutboundHeartbeat(
                        config("enabled: false\nurl: " + r.url("/ping") + "\n"),
                        "node-7",
                        events::add,
                        metrics,
                        clock,
                        Map::of)) {
            hb.start();
            hb.close();
            assertThat(r.pending()).isZero();
        }
    }

    @Test
    void config_defaultsAndErrors() throws Exception {
        HeartbeatConfig d = HeartbeatConfig.defaults();
        assertThat(d.enabled()).isFalse();
        assertThat(d.method()).isEqualTo(HeartbeatConfig.Method.POST);
        assertThat(d.interval()).hasSeconds(60);
        assertThat(d.failuresBeforeEvent()).isEqualTo(3);
        assertThatThrownBy(() -> config("enabled: true\n"))
                .hasMessageContaining("url: is required when the heartbeat is enabled");
        assertThatThrownBy(() -> config("url: https://hc-ping.com/x\ninterval: 10s\ntimeout: 20s\n"))
                .hasMessageContaining("timeout: must be between 1ms and interval");
        assertThatThrownBy(() -> config("url: mailto:x@y\n"))
                .hasMessageContaining("url: must be an http:// or https:// URL");
    }
}
