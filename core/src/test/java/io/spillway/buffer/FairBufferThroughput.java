package io.spillway.buffer;

import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import io.spillway.space.SpaceFloor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * A rough single-thread throughput check of the fair buffer (offer, then poll and commit), in memory
 * and while spilling. Not a test: numbers depend on the machine; the JMH benchmarks are the reference.
 *
 * <pre>
 * mvn -q -pl core test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp core/target/classes:core/target/test-classes:$(cat core/target/cp.txt) \
 *     io.spillway.buffer.FairBufferThroughput
 * </pre>
 */
public final class FairBufferThroughput {
    private FairBufferThroughput() {}

    public static void main(String[] args) throws Exception {
        LogRecord[] records = new LogRecord[1000];
        for (int i = 0; i < records.length; i++) {
            records[i] = LogRecord.of(i, "host", "app" + (i % 10), "x".repeat(140));
        }
        System.out.println("record size " + records[0].sizeBytes() + " bytes");
        FairBufferConfig d = FairBufferConfig.defaults();
        Path dir = Files.createTempDirectory("fair-buffer-throughput");
        try (FairBuffer memory = new FairBuffer(
                "memory", FairBufferConfig.memoryOnly(DataSize.ofMiB(64)), dir, (a, r, n, b) -> {}, new Metrics())) {
            for (int round = 0; round < 5; round++) {
                run("memory only", memory, records, 2_000_000);
            }
        }
        FairBufferConfig spilling = new FairBufferConfig(
                DataSize.ofMiB(1),
                DataSize.ofMiB(512),
                SpaceFloor.ofBytes(0),
                d.shed(),
                d.quantum(),
                FairBufferConfig.Fsync.NEVER,
                d.fsyncInterval(),
                d.segmentSize(),
                d.maxApps());
        try (FairBuffer disk = new FairBuffer("disk", spilling, dir, (a, r, n, b) -> {}, new Metrics())) {
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                int n = 1_000_000;
                for (int i = 0; i < n; i++) {
                    disk.offer(records[i % records.length]);
                }
                long t1 = System.nanoTime();
                long onDisk = disk.diskBytes();
                int got = 0;
                Batch batch;
                while ((batch = disk.poll(500, 1 << 20, Duration.ZERO)) != null) {
                    got += batch.size();
                    disk.commit(batch);
                }
                long t2 = System.nanoTime();
                System.out.printf(
                        Locale.ROOT,
                        "spilling: offer %.2f M records/s (%d MiB on disk), drain %.2f M records/s%n",
                        n / ((t1 - t0) / 1e9) / 1e6,
                        onDisk >> 20,
                        got / ((t2 - t1) / 1e9) / 1e6);
            }
        }
    }

    private static void run(String what, FairBuffer b, LogRecord[] records, int n) throws InterruptedException {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i += records.length) {
            for (LogRecord r : records) {
                b.offer(r);
            }
            int got = 0;
            while (got < records.length) {
                Batch batch = b.poll(500, 1 << 20, Duration.ZERO);
                got += batch.size();
                b.commit(batch);
            }
        }
        long t = System.nanoTime() - t0;
        System.out.printf(
                Locale.ROOT, "%s: %.2f M records/s offered, polled and committed%n", what, n / (t / 1e9) / 1e6);
    }
}
