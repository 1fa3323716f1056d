package io.spillway.input.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.FakeClock;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.InputMetrics;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PeerErrorLogTest {
    private final Metrics metrics = new Metrics();
    private final FakeClock clock = FakeClock.at("2026-01-01T00:00:00Z");
    private final RecordingLogger log = new RecordingLogger();
    private final PeerErrorLog errors =
            new PeerErrorLog("gelf", new InputMetrics(metrics, "gelf"), log, clock, Duration.ofSeconds(10));

    @Test
    void error_burst_countsEveryOneLogsOnceNamingThePeer() {
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 4000);
        for (int i = 0; i < 5; i++) {
            errors.error("parse_error", peer, "not JSON");
        }
        assertThat(Counters.errors(metrics, "parse_error")).isEqualTo(5);
        assertThat(log.lines)
                .containsExactly("WARN gelf input gelf: parse_error from 127.0.0.1: not JSON; further errors are"
                        + " counted but not logged for 10s");
    }

    @Test
    void error_afterInterval_logsAgain() {
        errors.error("too_large", null, "a");
        clock.advance(Duration.ofMillis(9_999));
        errors.error("too_large", null, "b");
        clock.advance(Duration.ofMillis(1));
        errors.error("too_large", null, "c");
        assertThat(Counters.errors(metrics, "too_large")).isEqualTo(3);
        assertThat(log.lines).hasSize(2).allMatch(l -> l.contains(" from -: "));
    }

    @Test
    void warn_logsWithoutCounting() {
        errors.warn("connection_refused", null, "max_connections (1) are open");
        assertThat(Counters.errors(metrics, "connection_refused")).isZero();
        assertThat(log.lines).hasSize(1);
    }
}
