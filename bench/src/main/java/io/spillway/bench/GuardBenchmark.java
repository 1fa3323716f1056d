package io.spillway.bench;

import io.spillway.config.ConfigBinder;
import io.spillway.guard.Guard;
import io.spillway.guard.GuardConfig;
import io.spillway.pipeline.Stage;
import io.spillway.record.LogRecord;
import java.util.List;
import java.util.Locale;
import java.util.Random;
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
 * The guard chain per record (truncate, repeat, rate limit, redact) on 200-byte lines of 100 apps,
 * with rate limits high enough that nothing is dropped: the cost every record pays.
 *
 * <ul>
 *   <li>{@code chain=passthrough}: every stage disabled — the floor to compare against;
 *   <li>{@code chain=default}: the default guard, lines without redaction triggers;
 *   <li>{@code chain=no_redact}: the default guard with {@code redact: {enabled: false}}, lines without
 *       triggers — what "default" costs less its redaction pre-check;
 *   <li>{@code chain=default_triggered}: the default guard, every line has a {@code password=} to redact;
 *   <li>{@code chain=rails_7kb}: the default guard on 7 KB Rails {@code Parameters: {...}} dumps (370
 *       readings, an {@code api_key} and a {@code password}), built like the lines of the corpus file
 *       {@code rails-error-page.log}.
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
    @Param({"passthrough", "no_redact", "default", "default_triggered", "rails_7kb"})
    public String chain;

    private List<Stage> stages;
    private LogRecord[] records;
    private int next;

    @Setup
    public void setup() throws Exception {
        String yaml = switch (chain) {
            case "passthrough" ->
                "truncate: {enabled: false}\nredact: {enabled: false}\nrate_limit: {enabled: false}\n";
            case "no_redact" ->
                "redact: {enabled: false}\n"
                        + "rate_limit: {bytes_per_second: 4GiB, lines_per_second: 100000000, burst: 1s}\n";
            default -> "rate_limit: {bytes_per_second: 4GiB, lines_per_second: 100000000, burst: 1s}\n";
        };
        GuardConfig config = ConfigBinder.bind(GuardConfig.class, ConfigBinder.readYaml(yaml, "bench"));
        stages = Guard.create(config, (app, reason, n, b) -> {}, System::nanoTime)
                .stages();
        records = new LogRecord[1024];
        for (int i = 0; i < records.length; i++) {
            String message = switch (chain) {
                case "default_triggered" ->
                    line200("POST /login user=alice password=hunter2 status=302 duration=12ms request_id=" + i);
                case "rails_7kb" -> railsParameters(i);
                default ->
                    line200("GET /api/v1/measurements?sensor=" + i + " status=200 duration=12ms bytes=5120 request_id="
                            + i);
            };
            records[i] = LogRecord.of(1, "node-7", "app-" + (i % 100), message);
        }
    }

    private static String line200(String body) {
        StringBuilder sb = new StringBuilder(body);
        while (sb.length() < 200) {
            sb.append(' ').append('x');
        }
        return sb.substring(0, 200);
    }

    /** A Rails parameter dump of about 6.7 KB, like those of {@code rails-error-page.log}. */
    private static String railsParameters(int i) {
        Random random = new Random(i);
        StringBuilder sb = new StringBuilder(7000);
        sb.append(String.format(
                Locale.ROOT,
                "  Parameters: {\"device_id\"=>\"sensor-%05d\", \"api_key\"=>\"sk_live_%016x\", "
                        + "\"password\"=>\"hunter2\", \"readings\"=>{",
                i,
                random.nextLong()));
        for (int r = 0; r < 370; r++) {
            if (r > 0) {
                sb.append(',');
            }
            sb.append(String.format(Locale.ROOT, "\"r%03d\"=>\"%.4f\"", r, random.nextDouble() * 100));
        }
        return sb.append("}}").toString();
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
