package io.spillway.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.alert.notify.Receiver.Reply;
import io.spillway.event.Event;
import io.spillway.event.EventSeverity;
import io.spillway.metrics.Metrics;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class NotifierSelfTestTest {
    final List<Event> events = new CopyOnWriteArrayList<>();
    final Metrics metrics = new Metrics();
    final InstantSource clock = InstantSource.fixed(Samples.TIME);

    NotifierSelfTest selfTest(Map<String, Notifier> notifiers, Set<String> periodic) {
        return new NotifierSelfTest(
                notifiers, periodic, Duration.ofHours(6), Duration.ZERO, "node-7", events::add, metrics, clock);
    }

    static Notifier webhook(String url) throws Exception {
        return Targets.notifier("targets:\n  oncall:\n    type: webhook\n    url: " + url
                + "\n    secret: 0123456789abcdef\n    connect_timeout: 1s\n    timeout: 2s\n");
    }

    double up(String target) {
        return metrics.registry().scrape().stream()
                .filter(s -> s.getMetadata().getPrometheusName().equals("spillway_notifier_up"))
                .flatMap(s -> s.getDataPoints().stream())
                .filter(d -> target.equals(d.getLabels().get("target")))
                .mapToDouble(d ->
                        ((io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot) d).getValue())
                .findFirst()
                .orElse(Double.NaN);
    }

    @Test
    void runOnce_workingTarget_sendsTestMessageAndPublishesNothing() throws Exception {
        try (Receiver r = new Receiver(Reply.of(200))) {
            NotifierSelfTest st = selfTest(Map.of("oncall", webhook(r.url("/"))), Set.of("oncall"));
            List<NotifierSelfTest.Result> results = st.runOnce();
            assertThat(results).singleElement().satisfies(res -> {
                assertThat(res.ok()).isTrue();
                assertThat(res.human()).isEqualTo("ok: webhook \"oncall\" accepted the test message");
            });
            var json = new ObjectMapper().readTree(r.take().body());
            assertThat(json.get("reason").asText()).isEqualTo("test");
            assertThat(json.get("incident").get("severity").asText()).isEqualTo("info");
            assertThat(events).isEmpty();
            assertThat(up("oncall")).isEqualTo(1.0);
        }
    }

    @Test
    void runOnce_deadTargetThenAlive_firesEventThenClearsIt() throws Exception {
        Switchable target = new Switchable(webhook("http://127.0.0.1:" + Receiver.deadPort() + "/"));
        NotifierSelfTest st = selfTest(Map.of("oncall", target), Set.of("oncall"));

        NotifierSelfTest.Result res = st.runOnce().get(0);
        assertThat(res.ok()).isFalse();
        assertThat(res.retryable()).isTrue();
        assertThat(res.attempts()).isEqualTo(NotifierSelfTest.ATTEMPTS);
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo("notifier_unreachable");
            assertThat(e.subject()).isEqualTo("oncall");
            assertThat(e.severity()).isEqualTo(EventSeverity.WARNING);
            assertThat(e.state()).isEqualTo(Event.State.FIRING);
            assertThat(e.host()).isEqualTo("node-7");
            assertThat(e.summary())
                    .startsWith("notifier oncall (webhook) failed its self-test: webhook target \"oncall\"");
            assertThat(e.details()).containsEntry("target", "oncall").containsEntry("retryable", "true");
        });
        assertThat(up("oncall")).isEqualTo(0.0);

        try (Receiver r = new Receiver(Reply.of(200))) {
            target.delegate = webhook(r.url("/"));
            assertThat(st.runOnce().get(0).ok()).isTrue();
            assertThat(events).extracting(Event::state).containsExactly(Event.State.FIRING, Event.State.CLEARED);
            assertThat(events.get(1).key()).isEqualTo(events.get(0).key());
            assertThat(events.get(1).summary()).isEqualTo("notifier oncall (webhook) works again");
            assertThat(up("oncall")).isEqualTo(1.0);
            // Still working: no further events.
            assertThat(st.runOnce().get(0).ok()).isTrue();
            assertThat(events).hasSize(2);
        }
    }

    /** A target whose endpoint the test moves, as an operator fixing a URL would. */
    static final class Switchable implements Notifier {
        volatile Notifier delegate;

        Switchable(Notifier delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return "oncall";
        }

        @Override
        public String kind() {
            return "webhook";
        }

        @Override
        public void send(Notification n) throws NotifyException {
            delegate.send(n);
        }
    }

    @Test
    void runOnce_nonRetryableFailure_oneAttemptOnly() throws Exception {
        try (Receiver r = new Receiver(Reply.of(401, "bad token"))) {
            NotifierSelfTest st = selfTest(Map.of("oncall", webhook(r.url("/"))), Set.of("oncall"));
            NotifierSelfTest.Result res = st.runOnce().get(0);
            assertThat(res.ok()).isFalse();
            assertThat(res.attempts()).isEqualTo(1);
            assertThat(res.human())
                    .startsWith("FAILED: webhook target \"oncall\"")
                    .contains("HTTP 401: bad token");
            assertThat(r.drain()).hasSize(1);
        }
    }

    @Test
    void runOnce_targetWithSelfTestOff_skippedButTestableByName() throws Exception {
        try (Receiver r = new Receiver(Reply.of(200))) {
            NotifierSelfTest st = selfTest(Map.of("oncall", webhook(r.url("/"))), Set.of());
            assertThat(st.runOnce()).isEmpty();
            assertThat(r.pending()).isZero();
            assertThat(st.test("oncall").ok()).isTrue();
            assertThat(r.drain()).hasSize(1);
        }
    }

    @Test
    void testTarget_fromCli_sendsOneTestMessage() throws Exception {
        try (Receiver r = new Receiver(Reply.of(200))) {
            NotifierSelfTest.Result res = NotifierSelfTest.testTarget(
                    Map.of("oncall", webhook(r.url("/"))), "oncall", "node-7", Duration.ZERO, clock);
            assertThat(res.human()).isEqualTo("ok: webhook \"oncall\" accepted the test message");
            assertThat(new ObjectMapper()
                            .readTree(r.take().body())
                            .get("incident")
                            .get("host")
                            .asText())
                    .isEqualTo("node-7");
        }
    }

    @Test
    void test_unknownTarget_namesTheConfiguredOnes() throws Exception {
        NotifierSelfTest st = selfTest(Map.of("oncall", webhook("http://127.0.0.1:1/")), Set.of());
        NotifierSelfTest.Result res = st.test("on-call");
        assertThat(res.ok()).isFalse();
        assertThat(res.human()).isEqualTo("FAILED: no target named \"on-call\"; configured targets: oncall");
        assertThat(events).isEmpty();
    }

    @Test
    void runOnce_notifierThrowsRuntimeException_reportedAsFailedTarget() {
        Notifier buggy = new Notifier() {
            @Override
            public String name() {
                return "buggy";
            }

            @Override
            public String kind() {
                return "webhook";
            }

            @Override
            public void send(Notification n) {
                throw new IllegalStateException("boom");
            }
        };
        NotifierSelfTest st = selfTest(Map.of("buggy", buggy), Set.of("buggy"));
        assertThat(st.runOnce().get(0).message()).contains("boom");
        assertThat(events).singleElement().extracting(Event::state).isEqualTo(Event.State.FIRING);
    }

    @Test
    void start_zeroInterval_testsNothing() throws Exception {
        try (Receiver r = new Receiver(Reply.of(200))) {
            NotifierSelfTest st = new NotifierSelfTest(
                    Map.of("oncall", webhook(r.url("/"))),
                    Set.of("oncall"),
                    Duration.ZERO,
                    Duration.ZERO,
                    "n",
                    events::add,
                    metrics,
                    clock);
            st.start();
            st.close();
            assertThat(st.describeInterval()).isEqualTo("off");
            assertThat(r.pending()).isZero();
        }
    }

    @Test
    void start_interval_firstRunAtOnce() throws Exception {
        try (Receiver r = new Receiver(Reply.of(200))) {
            NotifierSelfTest st = selfTest(Map.of("oncall", webhook(r.url("/"))), Set.of("oncall"));
            st.start();
            try {
                assertThat(new ObjectMapper()
                                .readTree(r.take().body())
                                .get("reason")
                                .asText())
                        .isEqualTo("test");
            } finally {
                st.close();
            }
        }
    }
}
