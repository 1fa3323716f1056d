package io.spillway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.FakeClock;
import io.spillway.buffer.MemoryBuffer;
import io.spillway.event.Event;
import io.spillway.event.EventSeverity;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PipelineWatchTest {
    private final List<Event> events = new ArrayList<>();
    private final Map<String, Map<String, Long>> drops = new TreeMap<>();
    // Starts at the real time: OutputWorker stamps its first failure with the wall clock.
    private final FakeClock clock = new FakeClock(Instant.ofEpochMilli(System.currentTimeMillis()));

    private PipelineWatch watch(List<OutputWorker> outputs, List<InputMetrics> inputs) {
        return new PipelineWatch(WatchConfig.defaults(), "node-7", () -> drops, outputs, inputs, events::add, clock);
    }

    private void advance(Duration d) {
        clock.advance(d);
    }

    private List<String> seen() {
        return events.stream()
                .map(e -> e.kind() + ":" + e.subject() + ":" + e.state().name().toLowerCase(Locale.ROOT))
                .toList();
    }

    @Test
    void appStartsDropping_firesOnceWithReasons_clearsAfterAQuietMinute() {
        PipelineWatch w = watch(List.of(), List.of());
        drops.put("quiet", Map.of());
        w.tick();
        drops.put("sensors-api", Map.of("rate_limit", 500L, "truncated", 0L));
        advance(Duration.ofSeconds(1));
        w.tick();
        drops.put("sensors-api", Map.of("rate_limit", 900L));
        advance(Duration.ofSeconds(30));
        w.tick(); // still dropping: no second event
        advance(Duration.ofSeconds(59));
        w.tick(); // 59 s quiet
        assertThat(seen()).containsExactly("drops:sensors-api:firing");
        Event fired = events.getFirst();
        assertThat(fired.app()).isEqualTo("sensors-api");
        assertThat(fired.severity()).isEqualTo(EventSeverity.WARNING);
        assertThat(fired.summary()).isEqualTo("app sensors-api is losing lines: 500 rate_limit dropped");
        advance(Duration.ofSeconds(1));
        w.tick();
        assertThat(seen()).containsExactly("drops:sensors-api:firing", "drops:sensors-api:cleared");
        assertThat(events.getLast().summary()).contains("900 rate_limit dropped");
        assertThat(events.getLast().details()).containsEntry("dropped_rate_limit", "900");
    }

    @Test
    void outputFailingLongerThanDownAfter_isCriticalAndClearsOnDelivery() throws Exception {
        OutputWorkerTest.FlakyOutput output = new OutputWorkerTest.FlakyOutput(2);
        MemoryBuffer buffer = new MemoryBuffer(1 << 20, (app, reason, n, b) -> {});
        OutputWorker worker = new OutputWorker(output, buffer, new Metrics(), 100, 1 << 20);
        buffer.offer(LogRecord.of(1, "h", "web", "hello"));
        PipelineWatch w = watch(List.of(worker), List.of());
        worker.runOnce(Duration.ofMillis(10)); // first failure
        w.tick();
        advance(Duration.ofSeconds(29));
        w.tick();
        assertThat(events).isEmpty();
        advance(Duration.ofSeconds(2));
        w.tick();
        assertThat(seen()).containsExactly("output_down:flaky:firing");
        assertThat(events.getFirst().severity()).isEqualTo(EventSeverity.CRITICAL);
        assertThat(events.getFirst().summary()).startsWith("output flaky has failed every delivery for 3");
        worker.runOnce(Duration.ofMillis(10)); // second failure: still down, no new event
        w.tick();
        worker.runOnce(Duration.ofMillis(10)); // delivered
        w.tick();
        assertThat(seen()).containsExactly("output_down:flaky:firing", "output_down:flaky:cleared");
    }

    @Test
    void inputErrorStorm_firesPastTheThreshold_andClearsAfterAQuietWindow() {
        InputMetrics syslog = new InputMetrics(new Metrics(), "syslog");
        PipelineWatch w = watch(List.of(), List.of(syslog));
        w.tick();
        for (int i = 0; i < 100; i++) {
            syslog.error("parse_error");
        }
        advance(Duration.ofSeconds(1));
        w.tick();
        assertThat(events).isEmpty(); // 100 is not more than 100
        syslog.error("parse_error");
        advance(Duration.ofSeconds(1));
        w.tick();
        assertThat(seen()).containsExactly("input_errors:syslog:firing");
        assertThat(events.getFirst().summary()).startsWith("input syslog: 101 errors within 10s");
        advance(Duration.ofSeconds(10));
        w.tick();
        assertThat(seen()).containsExactly("input_errors:syslog:firing", "input_errors:syslog:cleared");
    }
}
