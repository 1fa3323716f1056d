package io.spillway.bench;

import io.spillway.buffer.Batch;
import io.spillway.buffer.FairBuffer;
import io.spillway.buffer.FairBufferConfig;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fair buffer enqueue + dequeue of 200-byte records spread over 1, 100 or 10 000 apps, memory only:
 * each operation is one record offered, taken in a batch of up to 1000 by DRR, and committed.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar BufferBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BufferBenchmark {
    private static final int BATCH = 1000;

    @Param({"1", "100", "10000"})
    public int apps;

    private FairBuffer buffer;
    private LogRecord[] records;
    private int next;
    private Path dir;

    @Setup
    public void setup() throws Exception {
        dir = Files.createTempDirectory("bench-buffer");
        buffer = new FairBuffer(
                "bench", FairBufferConfig.memoryOnly(DataSize.ofMiB(256)), dir, (a, r, n, b) -> {}, new Metrics());
        records = new LogRecord[Math.max(apps, 1024)];
        for (int i = 0; i < records.length; i++) {
            records[i] = LogRecord.of(1, "node-7", "app-" + (i % apps), "x".repeat(200));
        }
    }

    @TearDown
    public void tearDown() {
        buffer.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int offerPollCommit() throws InterruptedException {
        for (int i = 0; i < BATCH; i++) {
            buffer.offer(records[next++ % records.length]);
        }
        int taken = 0;
        while (taken < BATCH) {
            Batch b = buffer.poll(BATCH, 1 << 20, Duration.ZERO);
            if (b == null) {
                break;
            }
            taken += b.size();
            buffer.commit(b);
        }
        return taken;
    }
}
