package io.spillway.bench;

import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import io.spillway.store.AppSummary;
import io.spillway.store.LogStore;
import io.spillway.store.StoreConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Compression ratio of the store (message bytes in / bytes on disk once sealed) on three workloads:
 * the flood's noisy ~7 KB Rails dumps (random readings), quiet 200-byte request lines, and the shared
 * sample corpus replayed (each line repeated with a new timestamp). Not a JMH benchmark: a ratio is
 * not a speed.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.spillway.bench.StoreRatio ../shared/corpus}
 */
public final class StoreRatio {
    private StoreRatio() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("store-ratio");
        try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), new Metrics(), InstantSource.system())) {
            SplittableRandom rnd = new SplittableRandom(7);
            long ts = 1_438_131_600_000_000_000L;
            List<LogRecord> batch = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) { // ~140 MB
                batch.add(StoreLines.record("noisy", ts + i, StoreLines.noisy(i, rnd, 7000)));
                batch.add(StoreLines.record("quiet", ts + i, StoreLines.quiet(i, rnd)));
                if (batch.size() >= 1000) {
                    store.append(batch);
                    batch.clear();
                }
            }
            if (args.length > 0) {
                List<byte[]> lines = new ArrayList<>();
                try (Stream<Path> files = Files.list(Path.of(args[0]))) {
                    for (Path f : files.sorted().toList()) {
                        if (f.toString().endsWith(".md")) {
                            continue;
                        }
                        for (String line :
                                Files.readString(f, StandardCharsets.ISO_8859_1).split("\n")) {
                            if (!line.isEmpty()) {
                                lines.add(line.getBytes(StandardCharsets.ISO_8859_1));
                            }
                        }
                    }
                }
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
            store.close();
        }
        // Reopen: every chunk but the active ones is sealed; count only sealed chunks' ratio.
        try (LogStore store = LogStore.open(dir, StoreConfig.defaults(), new Metrics(), InstantSource.system())) {
            for (AppSummary a : store.apps()) {
                System.out.printf(
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
