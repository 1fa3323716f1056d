package io.spillway.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.alert.AlertConfig;
import io.spillway.buffer.MemoryBuffer;
import io.spillway.config.ConfigBinder;
import io.spillway.config.ListenAddress;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.Output;
import io.spillway.pipeline.OutputWorker;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The node's alerting helpers: the default public URL, the liveness period and the stuck-output check. */
class AlertingTest {
    static AlertConfig alert(String yaml) throws Exception {
        return ConfigBinder.bind(AlertConfig.class, ConfigBinder.readYaml(yaml, "alert"));
    }

    @Test
    void publicUrl_emptyUsesListenWithBoundPort_setIsKept() throws Exception {
        AlertConfig none = AlertConfig.defaults();
        assertThat(Alerting.publicUrl(none, ListenAddress.parse("127.0.0.1:0"), 41234))
                .isEqualTo("http://127.0.0.1:41234");
        assertThat(Alerting.publicUrl(none, ListenAddress.parse("127.0.0.1:8080"), -1))
                .isEqualTo("http://127.0.0.1:8080");
        assertThat(Alerting.publicUrl(
                        alert("public_url: https://logs.example.com/"), ListenAddress.parse("0.0.0.0:8080"), 8080))
                .isEqualTo("https://logs.example.com");
    }

    @Test
    void livenessPeriod_isAQuarterOfSilentAfter_between250msAnd5s() throws Exception {
        assertThat(Alerting.livenessPeriod(AlertConfig.defaults())).isEqualTo(Duration.ofSeconds(5));
        assertThat(Alerting.livenessPeriod(alert("heartbeat: {silent_after: 4s}")))
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(Alerting.livenessPeriod(alert("heartbeat: {silent_after: 1s}")))
                .isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void alertConfig_newKeysBindWithDefaults() throws Exception {
        AlertConfig c = alert("""
                self_test_interval: 0s
                dead_mans_switch: {enabled: true, url: "https://hc-ping.example/abc", interval: 30s}
                targets:
                  b: {type: webhook, url: "http://127.0.0.1:9/x", secret: sixteen-characters}
                  a: {type: webhook, url: "http://127.0.0.1:9/y", secret: sixteen-characters}
                """);
        assertThat(c.selfTestInterval()).isZero();
        assertThat(c.deadMansSwitch().enabled()).isTrue();
        assertThat(c.targets().keySet()).containsExactly("b", "a");
        assertThat(AlertConfig.defaults().selfTestInterval()).isEqualTo(Duration.ofHours(6));
        assertThat(AlertConfig.defaults().deadMansSwitch().enabled()).isFalse();
    }

    /** An output whose writes block while {@code stuck} is set, as on a full disk. */
    static final class GateOutput implements Output {
        final AtomicBoolean stuck = new AtomicBoolean();

        @Override
        public String name() {
            return "gate";
        }

        @Override
        public void write(List<LogRecord> batch) throws IOException {
            if (stuck.get()) {
                throw new IOException("disk full");
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    @Test
    void stuckOutputs_notStarted_thenHealthy_thenStuckWithRecordsWaiting() throws Exception {
        GateOutput out = new GateOutput();
        MemoryBuffer buffer = new MemoryBuffer(1 << 20, (a, r, n, b) -> {});
        OutputWorker w = new OutputWorker(out, buffer, new Metrics(), 10, 1 << 20, Duration.ZERO);
        Map<OutputWorker, long[]> seen = new HashMap<>();
        assertThat(Alerting.stuckOutputs(List.of(w), seen)).containsExactly("output gate is not running");
        w.start();
        try {
            assertThat(Alerting.stuckOutputs(List.of(w), seen)).isEmpty();
            out.stuck.set(true);
            buffer.offer(LogRecord.of(1, "h", "app", "x"));
            // The first check sees records waiting; only a second check without progress calls it stuck.
            assertThat(Alerting.stuckOutputs(List.of(w), seen)).isEmpty();
            assertThat(Alerting.stuckOutputs(List.of(w), seen))
                    .containsExactly("output gate delivered nothing with 1 records waiting");
            out.stuck.set(false);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (buffer.records() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(Alerting.stuckOutputs(List.of(w), seen)).isEmpty();
        } finally {
            w.stop(Duration.ofSeconds(1));
        }
    }
}
