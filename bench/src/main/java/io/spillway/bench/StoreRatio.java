package io.spillway.bench;

import io.spillway.clock.SystemClock;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import io.spillway.store.AppSummary;
import io.spillway.store.LogStore;
import io.spillway.store.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Compression ratio of the store (message bytes in / bytes on disk once sealed) on three workloads:
 * the flood's noisy ~7 KB Rails dumps (random readings, and exactly as {@code spillway flood}
 * generates them), quiet 200-byte request lines, and the shared
 * sample corpus replayed (each line repeated with a new timestamp). Not a JMH benchmark: a ratio is
 * not a speed.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.spillway.bench.StoreRatio testdata/corpus [level]}
 */
public final class StoreRatio {
    private StoreRatio() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("store-ratio");
        StoreConfig d = StoreConfig.defaults();
        // chunk_max_age 1s: after the writes, maintain() seals every active chunk, so the ratio is
        // that of sealed (compressed) chunks only.
        StoreConfig c = new StoreConfig(
                true,
                "",
                d.maxAge(),
                DataSize.ofGiB(16),
                DataSize.ofGiB(8),
                java.util.Map.of(),
                d.chunkSize(),
                java.time.Duration.ofSeconds(1),
                args.length > 1 ? Integer.parseInt(args[1]) : d.compressionLevel(),
                io.spillway.space.SpaceFloor.ofBytes(0),
                true,
                256,
                d.queryTimeout(),
                d.queryMaxScan(),
                d.tailQueue(),
                d.maxFollowers());
        try (LogStore store = LogStore.open(dir, c, new Metrics(), SystemClock.instantSource())) {
            SplittableRandom rnd = new SplittableRandom(7);
            long ts = 1_438_131_600_000_000_000L;
            List<LogRecord> batch = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) { // ~140 MB
                batch.add(StoreLines.record("noisy", ts + i, StoreLines.noisy(i, rnd, 7000)));
                batch.add(StoreLines.record("flood-gen", ts + i, StoreLines.floodGenerator(i, 7000)));
                for (int q = 0; q < 10; q++) {
                    batch.add(StoreLines.record("quiet", ts + i, StoreLines.quiet(i * 10L + q, rnd)));
                }
                if (batch.size() >= 1000) {
                    store.append(batch);
                    batch.clear();
                }
            }
            if (args.length > 0) {
                List<byte[]> lines = StoreLines.corpusLines(Path.of(args[0]));
                for (int rep = 0; rep < 2000; rep++) {
                    for (byte[] line : lines) {
                        batch.add(StoreLines.record("corpus", ts + rep, "x").withMessage(line));
                    }
                    if (batch.size() >= 1000) {
                        store.append(batch);
                        batch.clear();
                    }
                }
            }
            store.append(batch);
            Thread.sleep(1100);
            store.maintain();
        }
        // Closing waits for the seal thread; reopened, the store holds sealed chunks only.
        try (LogStore store = LogStore.open(dir, c, new Metrics(), SystemClock.instantSource())) {
            System.out.printf(Locale.ROOT, "zstd level %d, chunk_size %s%n", c.compressionLevel(), c.chunkSize());
            for (AppSummary a : store.apps()) {
                System.out.printf(
                        Locale.ROOT,
                        "%-8s %9d records  %10s raw message bytes  %10s on disk  ratio %.1fx%n",
                        a.app(),
                        a.records(),
                        DataSize.human(a.bytesRaw()),
                        DataSize.human(a.bytesStored()),
                        a.bytesRaw() / (double) a.bytesStored());
            }
        }
    }
}
