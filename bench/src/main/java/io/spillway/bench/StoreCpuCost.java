package io.spillway.bench;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import io.spillway.clock.SystemClock;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import io.spillway.store.Filter;
import io.spillway.store.LogStore;
import io.spillway.store.Query;
import io.spillway.store.QueryResult;
import io.spillway.store.StoreConfig;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The store's cost in CPU time of the measuring thread, not wall time: on a machine shared with other
 * builds, wall-clock JMH scores mostly measure the neighbours, while thread CPU time still says what
 * one core would do (I/O waits and fsync excluded). Prints records per CPU-second for ingest and GB
 * per CPU-second for grep, next to zstd's own decompression speed on the same text.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.spillway.bench.StoreCpuCost [zstd level]}
 */
public final class StoreCpuCost {
    private StoreCpuCost() {}

    public static void main(String[] args) throws Exception {
        int level = args.length > 0
                ? Integer.parseInt(args[0])
                : StoreConfig.defaults().compressionLevel();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.printf(
                Locale.ROOT,
                "processors %d, load average %.2f, zstd level %d%n",
                Runtime.getRuntime().availableProcessors(),
                os.getSystemLoadAverage(),
                level);
        for (String workload : List.of("quiet", "flood")) {
            Path dir = Files.createTempDirectory("store-cpu");
            StoreConfig d = StoreConfig.defaults();
            StoreConfig c = new StoreConfig(
                    true,
                    "",
                    d.maxAge(),
                    DataSize.ofGiB(16),
                    DataSize.ofGiB(8),
                    Map.of(),
                    d.chunkSize(),
                    d.chunkMaxAge(),
                    level,
                    io.spillway.space.SpaceFloor.ofBytes(0),
                    true,
                    256,
                    Duration.ofMinutes(5),
                    DataSize.ofGiB(64),
                    10_000,
                    16);
            SplittableRandom rnd = new SplittableRandom(42);
            List<List<LogRecord>> batches = new ArrayList<>();
            long ts = 1_438_131_600_000_000_000L;
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            for (int b = 0; b < 64; b++) {
                List<LogRecord> batch = new ArrayList<>(1000);
                for (int i = 0; i < 1000; i++) {
                    long seq = (long) b * 1000 + i;
                    LogRecord r = workload.equals("quiet")
                            ? StoreLines.record("quiet-" + (seq % 50), ts + seq, StoreLines.quiet(seq, rnd))
                            : StoreLines.record("noisy", ts + seq, StoreLines.noisy(seq, rnd, 7000));
                    batch.add(r);
                    if (text.size() < 64 << 20) {
                        text.write(r.messageBytes());
                        text.write('\n');
                    }
                }
                batches.add(batch);
            }
            try (LogStore store = LogStore.open(dir, c, new Metrics(), SystemClock.instantSource())) {
                // warm up, then measure ingest
                for (int round = 0; round < 3; round++) {
                    long records = 0;
                    long cpu0 = mx.getCurrentThreadCpuTime();
                    long proc0 = os.getProcessCpuTime();
                    long wall0 = System.nanoTime();
                    for (int i = 0; i < (workload.equals("quiet") ? 1000 : 60); i++) {
                        List<LogRecord> batch = batches.get(i % batches.size());
                        store.append(batch);
                        records += batch.size();
                        if (i % 100 == 99) {
                            store.sync();
                        }
                    }
                    long cpu = mx.getCurrentThreadCpuTime() - cpu0;
                    long wall = System.nanoTime() - wall0;
                    long proc = os.getProcessCpuTime() - proc0;
                    System.out.printf(
                            Locale.ROOT,
                            "%s ingest round %d: %d records, %.0f records per CPU-second of the appender, %.0f per"
                                    + " CPU-second of the process (seal thread, GC included), %.0f per wall second%n",
                            workload,
                            round,
                            records,
                            records / (cpu / 1e9),
                            records / (proc / 1e9),
                            records / (wall / 1e9));
                }
            }
            // grep: with blocks decoded ahead on the scan pool (default) and on the query thread alone
            for (String threads : new String[] {"default", "0"}) {
                if (threads.equals("default")) {
                    System.clearProperty("spillway.store.scan_threads");
                } else {
                    System.setProperty("spillway.store.scan_threads", threads);
                }
                try (LogStore store = LogStore.open(dir, c, new Metrics(), SystemClock.instantSource())) {
                    for (int round = 0; round < 4; round++) {
                        // quiet: one query per app, all 50 (each app holds only ~12 MB)
                        List<String> apps = new ArrayList<>();
                        for (int a = 0; a < (workload.equals("quiet") ? 50 : 1); a++) {
                            apps.add(workload.equals("quiet") ? "quiet-" + a : "noisy");
                        }
                        long cpu0 = mx.getCurrentThreadCpuTime();
                        long proc0 = os.getProcessCpuTime();
                        long wall0 = System.nanoTime();
                        long scanned = 0;
                        QueryResult r = null;
                        for (String app : apps) {
                            r = store.query(new Query(
                                    app,
                                    null,
                                    null,
                                    Filter.substring("no-such-text-anywhere"),
                                    100,
                                    Query.Order.NEWEST_FIRST,
                                    null));
                            scanned += r.scannedBytes();
                        }
                        long wall = System.nanoTime() - wall0;
                        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
                        long proc = os.getProcessCpuTime() - proc0;
                        System.out.printf(
                                Locale.ROOT,
                                "%s grep (scan threads %s) round %d: scanned %.1f MB, %.2f GB/s wall clock, %.2f GB"
                                        + " per CPU-second of the process, %.2f per CPU-second of the query thread"
                                        + " (stopped=%s)%n",
                                workload,
                                threads,
                                round,
                                scanned / 1e6,
                                scanned / (double) wall,
                                scanned / (double) proc,
                                scanned / (double) cpu,
                                r.stoppedEarly());
                    }
                }
            }
            System.clearProperty("spillway.store.scan_threads");
            // zstd alone on the same text, 256 KiB blocks, level 3
            byte[] all = text.toByteArray();
            int block = 256 * 1024;
            List<byte[]> compressed = new ArrayList<>();
            try (ZstdCompressCtx z = new ZstdCompressCtx()) {
                z.setLevel(3);
                for (int off = 0; off + block <= all.length; off += block) {
                    byte[] dst = new byte[(int) Zstd.compressBound(block)];
                    int n = z.compressByteArray(dst, 0, dst.length, all, off, block);
                    compressed.add(java.util.Arrays.copyOf(dst, n));
                }
            }
            byte[] out = new byte[block];
            try (ZstdDecompressCtx z = new ZstdDecompressCtx()) {
                for (int round = 0; round < 3; round++) {
                    long cpu0 = mx.getCurrentThreadCpuTime();
                    for (byte[] cb : compressed) {
                        z.decompressByteArray(out, 0, block, cb, 0, cb.length);
                    }
                    long cpu = mx.getCurrentThreadCpuTime() - cpu0;
                    System.out.printf(
                            Locale.ROOT,
                            "%s zstd decompress only round %d: %.2f GB per CPU-second%n",
                            workload,
                            round,
                            (double) compressed.size() * block / cpu);
                }
            }
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
