package io.spillway.bench;

import io.spillway.config.ConfigBinder;
import io.spillway.guard.Guard;
import io.spillway.guard.GuardConfig;
import io.spillway.pipeline.Stage;
import io.spillway.record.LogRecord;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The guard chain per record (truncate, redact, repeat, rate limit) on 200-byte lines of 100 apps,
 * with rate limits high enough that nothing is dropped: the cost every record pays.
 *
 * <ul>
 *   <li>{@code chain=passthrough}: every stage disabled — the floor to compare against;
 *   <li>{@code chain=default}: the default guard, lines without redaction triggers;
 *   <li>{@code chain=default_triggered}: the default guard, every line has a {@code password=} to redact.
 * </ul>
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar GuardBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GuardBenchmark {
    @Param({"passthrough", "default", "default_triggered"})
    public String chain;

    private List<Stage> stages;
    private LogRecord[] records;
    private int next;

    @Setup
    public void setup() throws Exception {
        String yaml = chain.equals("passthrough")
                ? "truncate: {enabled: false}\nredact: {enabled: false}\nrate_limit: {enabled: false}\n"
                : "rate_limit: {bytes_per_second: 512MiB, lines_per_second: 100000000, burst: 1s}\n";
        GuardConfig config = ConfigBinder.bind(GuardConfig.class, ConfigBinder.readYaml(yaml, "bench"));
        stages = Guard.create(config, (app, reason, n, b) -> {}, System::nanoTime)
                .stages();
        records = new LogRecord[1024];
        for (int i = 0; i < records.length; i++) {
            String body = chain.equals("default_triggered")
                    ? "POST /login user=alice password=hunter2 status=302 duration=12ms request_id=" + i
                    : "GET /api/v1/measurements?sensor=" + i + " status=200 duration=12ms bytes=5120 request_id=" + i;
            StringBuilder sb = new StringBuilder(body);
            while (sb.length() < 200) {
                sb.append(' ').append('x');
            }
            records[i] = LogRecord.of(1, "node-7", "app-" + (i % 100), sb.substring(0, 200));
        }
    }

    @Benchmark
    public LogRecord guard() {
        LogRecord r = records[next++ & 1023];
        for (Stage s : stages) {
            r = s.apply(r);
            if (r == null) {
                throw new IllegalStateException("benchmark records must not be dropped");
            }
        }
        return r;
    }
}
