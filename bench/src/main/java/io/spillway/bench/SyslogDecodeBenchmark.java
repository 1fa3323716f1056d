package io.spillway.bench;

import io.spillway.clock.SystemClock;
import io.spillway.input.syslog.SyslogDecoder;
import io.spillway.record.LogRecord;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Syslog decoding, one frame per operation.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar SyslogDecodeBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SyslogDecodeBenchmark {
    private final SyslogDecoder decoder = new SyslogDecoder(SystemClock.instantSource());
    private final byte[] rfc5424 = ("<165>1 2015-07-29T03:00:00.003Z node-7.example.net error-page 4242 ID47 "
                    + "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\"] Started POST \"/api/v1/measurements\" for 10.0.0.1")
            .getBytes(StandardCharsets.UTF_8);
    private final byte[] rfc3164 = "<30>Jul 29 03:00:02 node-7 docker/sensors-api[4242]: Completed 200 OK in 12ms"
            .getBytes(StandardCharsets.UTF_8);

    @Benchmark
    public LogRecord rfc5424() {
        return decoder.decode(rfc5424, 0, rfc5424.length, "peer", 1L);
    }

    @Benchmark
    public LogRecord rfc3164() {
        return decoder.decode(rfc3164, 0, rfc3164.length, "peer", 1L);
    }
}
