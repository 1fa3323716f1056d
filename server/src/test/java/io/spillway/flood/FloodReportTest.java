package io.spillway.flood;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FloodReportTest {
    private static final long MS = 1_000_000L;

    @Test
    void warmupLines_countInP99ButNotInTheSteadyColumn() throws Exception {
        Workload w = new Workload(1, 100, 200, 0, 7 * 1024, Duration.ofSeconds(10), "t", Duration.ofSeconds(3));
        AppTally quiet = new AppTally(w.quietApp(0), false);
        // 50 lines of the warm-up window waited 800 ms; the 950 steady ones 2 ms
        for (int seq = 0; seq < 1000; seq++) {
            quiet.sent.incrementAndGet();
            boolean steady = seq >= 50;
            quiet.delivered(seq, steady ? 2 * MS : 800 * MS, steady);
        }
        FloodReport r = new FloodReport(w, Duration.ofSeconds(12), List.of(quiet.snapshot()), Map.of(), false);

        assertThat(r.quietLatency().getValueAtPercentile(99) / 1000.0).isGreaterThan(700);
        assertThat(r.quietSteadyLatency().getValueAtPercentile(99) / 1000.0).isLessThan(3);

        JsonNode json = new ObjectMapper().readTree(r.toJson());
        assertThat(json.path("warmup_s").asDouble()).isEqualTo(3.0);
        assertThat(json.path("quiet_p99_ms").asDouble()).isGreaterThan(700);
        assertThat(json.path("quiet_p99_after_warmup_ms").asDouble()).isLessThan(3);
        assertThat(json.path("apps").get(0).path("p99_after_warmup_ms").asDouble())
                .isLessThan(3);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        r.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("p99 after 3s").contains("RESULT quiet apps lost nothing");
    }

    @Test
    void noWarmup_everyLineIsSteady() {
        Workload w = new Workload(1, 100, 200, 0, 7 * 1024, Duration.ofSeconds(10), "t");
        assertThat(w.warmup()).isZero();
        AppTally quiet = new AppTally(w.quietApp(0), false);
        quiet.sent.incrementAndGet();
        quiet.delivered(0, 500 * MS, true);
        FloodReport r = new FloodReport(w, Duration.ofSeconds(10), List.of(quiet.snapshot()), Map.of(), false);
        assertThat(r.quietSteadyLatency().getTotalCount()).isEqualTo(1);
    }
}
