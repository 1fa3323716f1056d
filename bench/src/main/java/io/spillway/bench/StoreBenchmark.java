package io.spillway.bench;

import io.spillway.clock.SystemClock;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import io.spillway.store.Filter;
import io.spillway.store.LogStore;
import io.spillway.store.Query;
import io.spillway.store.QueryResult;
import io.spillway.store.StoreConfig;
import io.spillway.store.StoredRecord;
import io.spillway.store.Tail;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * The embedded store's hot paths.
 *
 * <ul>
 *   <li>{@code ingest}: appends batches of 1000 records of a {@link #workload}, with a sync every 100
 *       batches (as the output's 100 ms flush would); sealing and compression included. Score:
 *       records/s.
 *   <li>{@code grep}: one query whose substring matches nothing, so it decompresses and scans all of
 *       ~256 MB of stored text (sealed chunks). Score: ms per query; GB/s = the printed raw bytes /
 *       that time.
 *   <li>{@code tail}: append one record and poll it from a follower (same thread): the store's part of
 *       the append → follow latency.
 * </ul>
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar StoreBenchmark -f 1 -wi 2 -i 3 -w 2s -r 3s}
 */
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class StoreBenchmark {
    private static final int BATCH = 1000;

    /**
     * quiet: 200-byte request lines with random ids over 50 apps; flood: ~7 KB error-page dumps with
     * random readings (both high-entropy: the worst case for compression and decompression speed);
     * flood-gen: the dumps exactly as {@code spillway flood} sends them; corpus: the shared sample
     * corpus (real log text of every input format) replayed over 50 apps.
     */
    @Param({"quiet", "flood", "flood-gen", "corpus"})
    public String workload;

    /**
     * Threads decoding blocks ahead of a query ({@code spillway.store.scan_threads}): "default" is one
     * per processor; "0" decodes on the query thread only (the walk before the scan pool). Run {@code
     * -p scanThreads=0,default} to compare.
     */
    @Param({"default"})
    public String scanThreads;

    private Path dir;
    private LogStore store;
    private List<List<LogRecord>> batches;
    private int next;
    private long scanned;
    private Tail tail;
    private LogRecord one;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        dir = Files.createTempDirectory("bench-store");
        StoreConfig d = StoreConfig.defaults();
        StoreConfig c = new StoreConfig(
                true,
                "",
                d.maxAge(),
                DataSize.ofGiB(8),
                DataSize.ofGiB(4),
                Map.of(),
                d.chunkSize(),
                d.chunkMaxAge(),
                d.compressionLevel(),
                io.spillway.space.SpaceFloor.ofBytes(0),
                true,
                256,
                Duration.ofMinutes(5),
                DataSize.ofGiB(64),
                10_000,
                16);
        if (scanThreads.equals("default")) {
            System.clearProperty("spillway.store.scan_threads");
        } else {
            System.setProperty("spillway.store.scan_threads", scanThreads);
        }
        store = LogStore.open(dir, c, new Metrics(), SystemClock.instantSource());
        SplittableRandom rnd = new SplittableRandom(42);
        batches = new ArrayList<>();
        long ts = 1_438_131_600_000_000_000L;
        List<byte[]> corpus = workload.equals("corpus") ? StoreLines.corpusLines(StoreLines.corpusDir()) : List.of();
        for (int b = 0; b < 64; b++) {
            List<LogRecord> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                long seq = (long) b * BATCH + i;
                batch.add(
                        switch (workload) {
                            case "quiet" ->
                                StoreLines.record("quiet-" + (seq % 50), ts + seq, StoreLines.quiet(seq, rnd));
                            case "flood" -> StoreLines.record("noisy", ts + seq, StoreLines.noisy(seq, rnd, 7000));
                            case "flood-gen" ->
                                StoreLines.record("flood-gen", ts + seq, StoreLines.floodGenerator(seq, 7000));
                            case "corpus" ->
                                StoreLines.record("corpus-" + (seq % 50), ts + seq, "")
                                        .withMessage(corpus.get((int) (seq % corpus.size())));
                            default -> throw new IllegalArgumentException("unknown workload " + workload);
                        });
            }
            batches.add(batch);
        }
        // The grep corpus: ~256 MB raw in one app, sealed.
        long raw = 0;
        int round = 0;
        while (raw < 256L * 1024 * 1024) {
            List<LogRecord> src = batches.get(round++ % batches.size());
            List<LogRecord> batch = new ArrayList<>(src.size());
            for (LogRecord r : src) {
                batch.add(r.withApp("grep"));
                raw += r.messageLength();
            }
            store.append(batch);
        }
        // Closing waits for the seal thread, so the grep reads sealed (compressed) chunks only, as a
        // store that has caught up does; the reopened store goes on with the ingest and tail runs.
        store.close();
        store = LogStore.open(dir, c, new Metrics(), SystemClock.instantSource());
        QueryResult r = grepOnce();
        scanned = r.scannedBytes();
        System.out.printf(
                Locale.ROOT,
                "%n[store] grep corpus: %d records scanned bytes %d (%.1f MB), stopped=%s%n",
                store.app("grep").records(),
                scanned,
                scanned / 1e6,
                r.stoppedEarly());
        tail = store.follow("tail", null);
        one = StoreLines.record("tail", ts, "one line to follow");
    }

    private QueryResult grepOnce() {
        return store.query(new Query(
                "grep", null, null, Filter.substring("no-such-text-anywhere"), 100, Query.Order.NEWEST_FIRST, null));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        tail.close();
        System.out.printf(
                Locale.ROOT,
                "%n[store] %s: %s on disk for %d apps%n",
                workload,
                DataSize.human(store.totalBytes()),
                store.apps().size());
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public void ingest() throws IOException {
        List<LogRecord> batch = batches.get(next++ % batches.size());
        store.append(batch);
        if (next % 100 == 0) {
            store.sync();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public QueryResult grep() {
        return grepOnce();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public List<StoredRecord> tail() throws Exception {
        store.append(one);
        return tail.poll(Duration.ofSeconds(1), 10);
    }
}
