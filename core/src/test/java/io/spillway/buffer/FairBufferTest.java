package io.spillway.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.spillway.admission.Admission;
import io.spillway.admission.Receipt;
import io.spillway.buffer.FairBufferConfig.Fsync;
import io.spillway.buffer.FairBufferConfig.Shed;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import io.spillway.space.DiskSpace;
import io.spillway.space.SpaceFloor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FairBufferTest {
    private static final FakeDiskSpace PLENTY = new FakeDiskSpace(1L << 40, 1L << 41);

    @TempDir
    Path dir;

    final RecordingDrops drops = new RecordingDrops();
    final Metrics metrics = new Metrics();
    final List<FairBuffer> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(FairBuffer::close);
    }

    double metric(String name) {
        for (MetricSnapshot s : metrics.registry().scrape()) {
            if (s.getMetadata().getName().equals(name)) {
                for (DataPointSnapshot d : s.getDataPoints()) {
                    if (d instanceof CounterSnapshot.CounterDataPointSnapshot c) {
                        return c.getValue();
                    }
                    if (d instanceof GaugeSnapshot.GaugeDataPointSnapshot g) {
                        return g.getValue();
                    }
                }
            }
        }
        return -1;
    }

    static FairBufferConfig config(long memory, long disk, Shed shed, Fsync fsync) {
        return new FairBufferConfig(
                DataSize.ofBytes(memory),
                DataSize.ofBytes(disk),
                SpaceFloor.ofPercent(5),
                shed,
                DataSize.ofKiB(4),
                fsync,
                Duration.ofSeconds(1),
                DataSize.ofKiB(4),
                10_000);
    }

    FairBuffer buffer(FairBufferConfig c, DiskSpace space) throws IOException {
        FairBuffer b = new FairBuffer("test", c, dir, drops, metrics, space);
        open.add(b);
        return b;
    }

    /** A record of about 200 bytes whose message starts with {@code app:seq}. */
    static LogRecord rec(String app, int seq) {
        String msg = app + ":" + seq + ":" + "x".repeat(140);
        return LogRecord.of(seq, "h", app, msg);
    }

    static int seqOf(LogRecord r) {
        return Integer.parseInt(r.messageText().split(":")[1]);
    }

    static List<LogRecord> drain(Buffer b) throws InterruptedException {
        List<LogRecord> out = new ArrayList<>();
        Batch batch;
        while ((batch = b.poll(100, 1 << 20, Duration.ZERO)) != null) {
            out.addAll(batch.records());
            b.commit(batch);
        }
        return out;
    }

    static Map<String, List<Integer>> byApp(List<LogRecord> records) {
        Map<String, List<Integer>> m = new HashMap<>();
        for (LogRecord r : records) {
            m.computeIfAbsent(r.app(), k -> new ArrayList<>()).add(seqOf(r));
        }
        return m;
    }

    static List<Integer> range(int from, int to) {
        List<Integer> l = new ArrayList<>();
        for (int i = from; i < to; i++) {
            l.add(i);
        }
        return l;
    }

    @Test
    void offer_thenPoll_deliversEachAppInOrder() throws Exception {
        FairBuffer b = buffer(config(64 << 10, 0, Shed.NEWEST, Fsync.INTERVAL), PLENTY);
        for (int i = 0; i < 100; i++) {
            assertThat(b.offer(rec(i % 2 == 0 ? "a" : "b", i)).accepted()).isTrue();
        }
        assertThat(b.records()).isEqualTo(100);
        List<LogRecord> out = drain(b);
        assertThat(out).hasSize(100);
        assertThat(byApp(out).get("a")).isSorted().hasSize(50);
        assertThat(byApp(out).get("b")).isSorted().hasSize(50);
        assertThat(b.records()).isZero();
        assertThat(b.bytes()).isZero();
        assertThat(b.memoryBytes()).isZero();
    }

    @Test
    void release_batch_isHandedOutAgainFirst() throws Exception {
        FairBuffer b = buffer(config(64 << 10, 0, Shed.NEWEST, Fsync.INTERVAL), PLENTY);
        for (int i = 0; i < 10; i++) {
            b.offer(rec("a", i));
        }
        Batch first = b.poll(3, 1 << 20, Duration.ZERO);
        assertThat(b.poll(3, 1 << 20, Duration.ZERO))
                .as("one outstanding batch")
                .isNull();
        b.release(first);
        b.offer(rec(AppNames.SPILLWAY, 99));
        assertThat(b.poll(3, 1 << 20, Duration.ZERO)).isSameAs(first);
        b.commit(first);
        assertThat(b.records()).isEqualTo(8);
    }

    @Test
    void poll_spillwayQueued_servedBeforeOtherApps() throws Exception {
        FairBuffer b = buffer(config(64 << 10, 0, Shed.NEWEST, Fsync.INTERVAL), PLENTY);
        for (int i = 0; i < 50; i++) {
            b.offer(rec("busy", i));
        }
        b.offer(rec(AppNames.SPILLWAY, 1000));
        Batch batch = b.poll(5, 1 << 20, Duration.ZERO);
        assertThat(batch.records().get(0).app()).isEqualTo(AppNames.SPILLWAY);
    }

    @Test
    void poll_heavyBacklog_quietAppServedWithinAQuantum() throws Exception {
        FairBuffer b = buffer(config(1 << 20, 0, Shed.NEWEST, Fsync.INTERVAL), PLENTY);
        for (int i = 0; i < 2000; i++) {
            b.offer(rec("heavy", i));
        }
        b.offer(rec("quiet", 0));
        List<LogRecord> firstRecords = new ArrayList<>();
        for (int i = 0; i < 10 && !firstRecords.stream().anyMatch(r -> r.app().equals("quiet")); i++) {
            Batch batch = b.poll(10, 1 << 20, Duration.ZERO);
            firstRecords.addAll(batch.records());
            b.commit(batch);
        }
        // Quantum 4KiB = about 20 records of the heavy app before the quiet one's turn.
        assertThat(firstRecords).anyMatch(r -> r.app().equals("quiet"));
        assertThat(firstRecords.size()).isLessThanOrEqualTo(40);
    }

    @Test
    void offer_recordLargerThanMemory_refusedTooLarge() throws Exception {
        FairBuffer b = buffer(config(4096, 0, Shed.NEWEST, Fsync.INTERVAL), PLENTY);
        Admission a = b.offer(LogRecord.of(1, "h", "a", "y".repeat(5000)));
        assertThat(a.accepted()).isFalse();
        assertThat(a.reason()).isEqualTo("too_large");
        assertThat(drops.records("a", "too_large")).isEqualTo(1);
    }

    @Test
    void offer_memoryOnlyFull_heavyAppRefused_quietAppGetsRoom() throws Exception {
        FairBuffer b = buffer(config(20 * 205, 0, Shed.NEWEST, Fsync.INTERVAL), PLENTY);
        int heavyAccepted = 0;
        for (int i = 0; i < 100; i++) {
            if (b.offer(rec("heavy", i)).accepted()) {
                heavyAccepted++;
            }
        }
        assertThat(heavyAccepted).isLessThan(25);
        for (int i = 0; i < 5; i++) {
            assertThat(b.offer(rec("quiet", i)).accepted()).isTrue();
        }
        assertThat(b.memoryBytes()).isLessThanOrEqualTo(20 * 205);
        assertThat(drops.recordsOf("quiet")).isZero();
        assertThat(drops.records("heavy", "shed")).isEqualTo(100 - heavyAccepted + 5);
        Map<String, List<Integer>> out = byApp(drain(b));
        assertThat(out.get("quiet")).isEqualTo(range(0, 5));
        // newest: the heavy app loses its newest records, keeps its oldest, in order.
        assertThat(out.get("heavy")).isEqualTo(range(0, out.get("heavy").size()));
    }

    @Test
    void offer_heavyAppPastBothBudgets_quietAppsLoseNothing_diskCapped_dropsCounted() throws Exception {
        heavyAppPastBothBudgets(Shed.NEWEST);
    }

    @Test
    void offer_heavyAppPastBothBudgets_shedOldest_keepsNewestOfHeavyApp() throws Exception {
        Map<String, List<Integer>> out = heavyAppPastBothBudgets(Shed.OLDEST);
        List<Integer> heavy = out.get("heavy");
        assertThat(heavy).isSorted();
        assertThat(heavy.get(heavy.size() - 1)).isEqualTo(4999);
    }

    private Map<String, List<Integer>> heavyAppPastBothBudgets(Shed shed) throws Exception {
        long memory = 32 << 10;
        long disk = 64 << 10;
        FairBuffer b = buffer(config(memory, disk, shed, Fsync.NEVER), PLENTY);
        int quiet = 0;
        for (int i = 0; i < 5000; i++) {
            b.offer(rec("heavy", i));
            if (i % 50 == 0) {
                assertThat(b.offer(rec("quiet-a", quiet)).accepted()).isTrue();
                assertThat(b.offer(rec("quiet-b", quiet)).accepted()).isTrue();
                quiet++;
            }
            assertThat(b.diskBytes()).isLessThanOrEqualTo(disk);
            assertThat(b.memoryBytes()).isLessThanOrEqualTo(memory);
        }
        assertThat(b.diskBytes()).isPositive();
        assertThat(drops.recordsOf("quiet-a")).isZero();
        assertThat(drops.recordsOf("quiet-b")).isZero();
        long heavyDropped = drops.records("heavy", "shed");
        assertThat(heavyDropped).isPositive();
        assertThat(metric("spillway_buffer_spilled_records")).isPositive();

        List<LogRecord> delivered = drain(b);
        Map<String, List<Integer>> out = byApp(delivered);
        assertThat(out.get("quiet-a")).isEqualTo(range(0, quiet));
        assertThat(out.get("quiet-b")).isEqualTo(range(0, quiet));
        assertThat(out.get("heavy")).isSorted().doesNotHaveDuplicates();
        assertThat(out.get("heavy").size() + heavyDropped).isEqualTo(5000);
        assertThat(b.diskBytes()).isZero();
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".seg")))
                    .as("delivered segments deleted")
                    .isEmpty();
        }
        return out;
    }

    @Test
    void offer_belowFloor_refusesToSpill_resumesWhenSpaceReturns() throws Exception {
        FakeDiskSpace space = new FakeDiskSpace(1L << 30, 10L << 30); // 1 GiB free, floor 5% = 512 MiB
        long memory = 16 << 10;
        FairBuffer b = buffer(config(memory, 256 << 10, Shed.NEWEST, Fsync.NEVER), space);
        space.usable = 400L << 20; // below the floor
        int accepted = 0;
        for (int i = 0; i < 200; i++) {
            if (b.offer(rec("heavy", i)).accepted()) {
                accepted++;
            }
        }
        assertThat(b.diskBytes()).isZero();
        assertThat(accepted).isLessThan(200);
        assertThat(drops.records("heavy", "floor")).isEqualTo(200 - accepted);
        assertThat(metric("spillway_buffer_below_floor")).isEqualTo(1.0);

        space.usable = 1L << 30;
        for (int i = 200; i < 400; i++) {
            assertThat(b.offer(rec("heavy", i)).accepted()).isTrue();
        }
        assertThat(b.diskBytes()).isPositive();
        assertThat(metric("spillway_buffer_below_floor")).isZero();
        List<Integer> out = byApp(drain(b)).get("heavy");
        assertThat(out).isSorted().hasSize(accepted + 200);
    }

    @Test
    void offer_floorBlocksDisk_quietAppStillGetsRoomFromHeavyApp() throws Exception {
        FakeDiskSpace space = new FakeDiskSpace(0, 10L << 30);
        FairBuffer b = buffer(config(16 << 10, 256 << 10, Shed.NEWEST, Fsync.NEVER), space);
        for (int i = 0; i < 200; i++) {
            b.offer(rec("heavy", i));
        }
        for (int i = 0; i < 10; i++) {
            assertThat(b.offer(rec("quiet", i)).accepted()).isTrue();
        }
        assertThat(drops.recordsOf("quiet")).isZero();
        assertThat(b.diskBytes()).isZero();
    }

    @Test
    void close_withoutDraining_reopenDeliversEverythingInOrder() throws Exception {
        FairBufferConfig c = config(16 << 10, 256 << 10, Shed.NEWEST, Fsync.INTERVAL);
        FairBuffer b = buffer(c, PLENTY);
        for (int i = 0; i < 300; i++) {
            b.offer(rec(i % 3 == 0 ? "a" : "b", i));
            if (i % 10 == 0) {
                b.offer(rec("c", i));
            }
        }
        assertThat(b.diskBytes()).as("something spilled").isPositive();
        long held = b.records();
        Batch inFlight = b.poll(7, 1 << 20, Duration.ZERO);
        assertThat(inFlight).isNotNull();
        b.close();
        open.remove(b);
        assertThat(drops.total()).isZero();

        FairBuffer again = buffer(c, PLENTY);
        assertThat(again.records()).isEqualTo(held);
        Map<String, List<Integer>> out = byApp(drain(again));
        assertThat(out.get("a"))
                .isEqualTo(range(0, 300).stream().filter(i -> i % 3 == 0).toList());
        assertThat(out.get("b"))
                .isEqualTo(range(0, 300).stream().filter(i -> i % 3 != 0).toList());
        assertThat(out.get("c"))
                .isEqualTo(range(0, 300).stream().filter(i -> i % 10 == 0).toList());
    }

    @Test
    void recover_tornTail_truncatedAndPriorRecordsDelivered() throws Exception {
        FairBufferConfig c = config(4096, 256 << 10, Shed.NEWEST, Fsync.ALWAYS);
        Path last = writeSpilled(c, 100);
        long size = Files.size(last);
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            ch.truncate(size - 5);
        }
        FairBuffer again = buffer(c, PLENTY);
        List<Integer> out = byApp(drain(again)).get("a");
        assertThat(out).isNotEmpty().isEqualTo(range(0, out.size()));
        assertThat(out.size()).isLessThan(100);
        assertThat(metric("spillway_buffer_truncated_bytes")).isPositive();
        assertThat(Files.exists(last) ? Files.size(last) : 0).isLessThan(size - 5);
    }

    @Test
    void recover_garbageAppended_truncatedAndAllRecordsDelivered() throws Exception {
        FairBufferConfig c = config(4096, 256 << 10, Shed.NEWEST, Fsync.ALWAYS);
        Path last = writeSpilled(c, 100);
        long size = Files.size(last);
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 40, 0, 0, 0, 1, 1, 2, 3, 4, 9, 9, 9}));
        }
        FairBuffer again = buffer(c, PLENTY);
        assertThat(byApp(drain(again)).get("a")).isEqualTo(range(0, 100));
        assertThat(Files.exists(last)).isFalse(); // delivered, so deleted
    }

    @Test
    void recover_corruptBatchInMiddle_cutsFromThereKeepsPrior() throws Exception {
        FairBufferConfig c = config(4096, 256 << 10, Shed.NEWEST, Fsync.ALWAYS);
        writeSpilled(c, 100);
        List<Path> segs = segments();
        // The second segment holds records appended one batch each while the app spilled.
        Path second = segs.get(1);
        long size = Files.size(second);
        try (FileChannel ch = FileChannel.open(second, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xAB, (byte) 0xCD}), size / 2);
        }
        FairBuffer again = buffer(c, PLENTY);
        List<Integer> out = byApp(drain(again)).get("a");
        assertThat(out).isSorted().doesNotHaveDuplicates();
        assertThat(out.get(0)).isZero();
        assertThat(out.size()).isLessThan(100);
    }

    @Test
    void recover_garbageFile_deletedAndOthersDelivered() throws Exception {
        FairBufferConfig c = config(4096, 256 << 10, Shed.NEWEST, Fsync.ALWAYS);
        writeSpilled(c, 50);
        Path junk = dir.resolve("a").resolve(Segment.fileName(1));
        Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        FairBuffer again = buffer(c, PLENTY);
        assertThat(byApp(drain(again)).get("a")).isEqualTo(range(0, 50));
        assertThat(Files.exists(junk)).isFalse();
    }

    /** Offers {@code n} records of app "a" that mostly spill, closes the buffer; returns the last segment. */
    private Path writeSpilled(FairBufferConfig c, int n) throws Exception {
        FairBuffer b = buffer(c, PLENTY);
        for (int i = 0; i < n; i++) {
            assertThat(b.offer(rec("a", i)).accepted()).isTrue();
        }
        b.close();
        open.remove(b);
        List<Path> segs = segments();
        assertThat(segs).isNotEmpty();
        return segs.get(segs.size() - 1);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    @Test
    void offerDurable_fsyncAlways_callsBackAfterFsync() throws Exception {
        FairBuffer b = buffer(config(64 << 10, 256 << 10, Shed.NEWEST, Fsync.ALWAYS), PLENTY);
        AtomicReference<Receipt> receipt = new AtomicReference<>();
        long[] forcedAtCallback = {-1};
        long[] bytesOnDisk = {-1};
        b.offerDurable(List.of(rec("fwd", 0), rec("fwd", 1)), r -> {
            receipt.set(r);
            forcedAtCallback[0] = b.forcedSegments();
            try {
                bytesOnDisk[0] = Files.size(segments().get(0));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(receipt.get().durable()).isTrue();
        assertThat(receipt.get().accepted()).isEqualTo(2);
        assertThat(forcedAtCallback[0]).isPositive();
        assertThat(bytesOnDisk[0]).isGreaterThan(Segment.HEADER_BYTES + 2 * 150);
    }

    @Test
    void offerDurable_fsyncInterval_writtenBeforeCallback_forcedBySync() throws Exception {
        FairBuffer b = buffer(config(64 << 10, 256 << 10, Shed.NEWEST, Fsync.INTERVAL), PLENTY);
        AtomicReference<Receipt> receipt = new AtomicReference<>();
        b.offerDurable(List.of(rec("fwd", 0)), receipt::set);
        assertThat(receipt.get().durable()).isTrue();
        assertThat(segments()).hasSize(1);
        b.sync();
        assertThat(b.forcedSegments()).isPositive();
    }

    @Test
    void offerDurable_thenCrashWithoutClose_acknowledgedRecordsRecovered_othersNot() throws Exception {
        FairBufferConfig c = config(64 << 10, 256 << 10, Shed.NEWEST, Fsync.INTERVAL);
        FairBuffer b = new FairBuffer("crashing", c, dir, drops, metrics, PLENTY);
        b.offer(rec("plain", 0));
        b.offerDurable(List.of(rec("fwd", 0), rec("fwd", 1)), r -> {});
        // Not acknowledged: waits in the app's write buffer (memory) for a whole batch.
        b.offer(rec("fwd", 2));
        b.offerDurable(List.of(rec("fwd", 3)), r -> {});
        // No close: as after kill -9, only what reached the files is there.
        FairBuffer again = buffer(c, PLENTY);
        Map<String, List<Integer>> out = byApp(drain(again));
        assertThat(out.get("fwd")).isEqualTo(List.of(0, 1, 2, 3));
        assertThat(out).doesNotContainKey("plain");
    }

    @Test
    void offerDurable_memoryOnly_notDurable() throws Exception {
        FairBuffer b = buffer(config(64 << 10, 0, Shed.NEWEST, Fsync.ALWAYS), PLENTY);
        AtomicReference<Receipt> receipt = new AtomicReference<>();
        b.offerDurable(List.of(rec("fwd", 0)), receipt::set);
        assertThat(receipt.get().durable()).isFalse();
        assertThat(receipt.get().accepted()).isEqualTo(1);

        MemoryBuffer m = new MemoryBuffer(1 << 20, drops);
        m.offerDurable(List.of(rec("fwd", 0)), receipt::set);
        assertThat(receipt.get().durable()).isFalse();
        assertThat(m.records()).isEqualTo(1);
    }

    @Test
    void offer_moreAppsThanMaxApps_sharedOtherQueue() throws Exception {
        FairBufferConfig base = config(64 << 10, 0, Shed.NEWEST, Fsync.INTERVAL);
        FairBufferConfig c = new FairBufferConfig(
                base.memory(),
                base.disk(),
                base.floor(),
                base.shed(),
                base.quantum(),
                base.fsync(),
                base.fsyncInterval(),
                base.segmentSize(),
                3);
        FairBuffer b = buffer(c, PLENTY);
        for (int i = 0; i < 10; i++) {
            b.offer(rec("app" + i, i));
        }
        Map<String, FairBuffer.AppUsage> snap = b.snapshot();
        assertThat(snap).containsKeys("app0", "app1", "app2", FairBuffer.OTHER_APPS);
        assertThat(snap.get(FairBuffer.OTHER_APPS).records()).isEqualTo(7);
        assertThat(drain(b)).hasSize(10);
        assertThat(b.snapshot()).isEmpty();
    }

    @Test
    void snapshot_reportsHoldingsAndFairShare() throws Exception {
        FairBuffer b = buffer(config(64 << 10, 0, Shed.NEWEST, Fsync.INTERVAL), PLENTY);
        b.offer(rec("a", 0));
        b.offer(rec("a", 1));
        b.offer(rec("b", 0));
        Map<String, FairBuffer.AppUsage> snap = b.snapshot();
        assertThat(snap.get("a").records()).isEqualTo(2);
        assertThat(snap.get("a").memoryBytes()).isEqualTo(2 * rec("a", 0).sizeBytes());
        assertThat(snap.get("b").fairShare()).isEqualTo(64 << 10);
    }

    @Test
    void poll_waitsForOffer_fromAnotherThread() throws Exception {
        FairBuffer b = buffer(config(64 << 10, 0, Shed.NEWEST, Fsync.INTERVAL), PLENTY);
        Thread producer = Thread.ofPlatform().start(() -> b.offer(rec("a", 0)));
        Batch batch = b.poll(10, 1 << 20, Duration.ofSeconds(30));
        producer.join();
        assertThat(batch).isNotNull();
        assertThat(batch.records()).hasSize(1);
    }

    @Test
    void offer_spillwayWhenFull_otherAppsShedFirst() throws Exception {
        FairBuffer b = buffer(config(20 * 205, 0, Shed.NEWEST, Fsync.INTERVAL), PLENTY);
        for (int i = 0; i < 20; i++) {
            b.offer(rec("quiet", i));
        }
        for (int i = 0; i < 15; i++) {
            assertThat(b.offer(rec(AppNames.SPILLWAY, i)).accepted()).isTrue();
        }
        assertThat(drops.recordsOf(AppNames.SPILLWAY)).isZero();
        assertThat(drops.records("quiet", "shed")).isPositive();
        List<LogRecord> out = drain(b);
        assertThat(out.subList(0, 15)).allMatch(r -> r.app().equals(AppNames.SPILLWAY));
        assertThat(byApp(out).get(AppNames.SPILLWAY)).isEqualTo(range(0, 15));
        assertThat(byApp(out).get("quiet"))
                .isEqualTo(range(0, byApp(out).get("quiet").size()));
    }

    @Test
    void offer_fsyncAlways_spillForcedBeforeOfferReturns() throws Exception {
        FairBuffer b = buffer(config(8 << 10, 256 << 10, Shed.NEWEST, Fsync.ALWAYS), PLENTY);
        int i = 0;
        while (b.diskBytes() == 0) {
            b.offer(rec("a", i++));
        }
        assertThat(b.forcedSegments()).isPositive();
    }

    @Test
    void offerDurable_belowFloor_acceptedInMemory_notDurable() throws Exception {
        FakeDiskSpace space = new FakeDiskSpace(0, 10L << 30);
        FairBuffer b = buffer(config(64 << 10, 256 << 10, Shed.NEWEST, Fsync.ALWAYS), space);
        AtomicReference<Receipt> receipt = new AtomicReference<>();
        b.offerDurable(List.of(rec("fwd", 0), rec("fwd", 1)), receipt::set);
        assertThat(receipt.get().accepted()).isEqualTo(2);
        assertThat(receipt.get().durable()).isFalse();
        assertThat(b.diskBytes()).isZero();
        assertThat(byApp(drain(b)).get("fwd")).isEqualTo(List.of(0, 1));
    }

    @Test
    void poll_segmentCorruptedWhileRunning_lostRecordsReported_restDelivered() throws Exception {
        FairBuffer b = buffer(config(8 << 10, 256 << 10, Shed.NEWEST, Fsync.NEVER), PLENTY);
        for (int i = 0; i < 400; i++) {
            assertThat(b.offer(rec("a", i)).accepted()).isTrue();
        }
        List<Path> segs = segments();
        assertThat(segs.size()).isGreaterThan(2);
        Path first = segs.get(0);
        try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), Segment.HEADER_BYTES + 20);
        }
        List<Integer> out = byApp(drain(b)).get("a");
        long lost = drops.records("a", "corrupt");
        assertThat(lost).isPositive();
        assertThat(out).isSorted().doesNotHaveDuplicates();
        assertThat(out.size() + lost).isEqualTo(400);
        assertThat(b.records()).isZero();
        assertThat(b.diskBytes()).isZero();
        assertThat(metric("spillway_buffer_io_errors")).isPositive();
    }

    @Test
    void close_afterPartlyDeliveringASegment_reopenDeliversNoDuplicates() throws Exception {
        FairBufferConfig c = config(8 << 10, 256 << 10, Shed.NEWEST, Fsync.INTERVAL);
        FairBuffer b = buffer(c, PLENTY);
        for (int i = 0; i < 300; i++) {
            b.offer(rec("a", i));
        }
        List<Integer> first = new ArrayList<>();
        while (first.size() < 100) {
            Batch batch = b.poll(10, 1 << 20, Duration.ZERO);
            batch.records().forEach(r -> first.add(seqOf(r)));
            b.commit(batch);
        }
        b.close();
        open.remove(b);
        FairBuffer again = buffer(c, PLENTY);
        List<Integer> rest = byApp(drain(again)).get("a");
        List<Integer> all = new ArrayList<>(first);
        all.addAll(rest);
        assertThat(all).isEqualTo(range(0, 300));
    }

    @Test
    void offer_manyProducersOneConsumer_eachAppInOrder_nothingLostUnreported() throws Exception {
        FairBuffer b = buffer(config(16 << 10, 128 << 10, Shed.NEWEST, Fsync.INTERVAL), PLENTY);
        int producers = 4;
        int perProducer = 5000;
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            String app = "app" + p;
            threads.add(Thread.ofPlatform().name("producer-" + p).start(() -> {
                for (int i = 0; i < perProducer; i++) {
                    b.offer(rec(app, i));
                }
            }));
        }
        List<LogRecord> delivered = new ArrayList<>();
        Thread consumer = Thread.ofPlatform().name("consumer").start(() -> {
            try {
                while (true) {
                    Batch batch = b.poll(50, 1 << 20, Duration.ofMillis(200));
                    if (batch == null) {
                        if (threads.stream().noneMatch(Thread::isAlive) && b.records() == 0) {
                            return;
                        }
                        continue;
                    }
                    delivered.addAll(batch.records());
                    b.commit(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (Thread t : threads) {
            t.join();
        }
        consumer.join();
        Map<String, List<Integer>> out = byApp(delivered);
        for (int p = 0; p < producers; p++) {
            String app = "app" + p;
            List<Integer> got = out.getOrDefault(app, List.of());
            assertThat(got).isSorted().doesNotHaveDuplicates();
            assertThat(got.size() + drops.recordsOf(app)).isEqualTo(perProducer);
        }
        assertThat(b.diskBytes()).isZero();
    }

    @Test
    void fsyncInterval_backgroundThread_forcesWrittenSegments() throws Exception {
        FairBufferConfig base = config(64 << 10, 256 << 10, Shed.NEWEST, Fsync.INTERVAL);
        FairBufferConfig c = new FairBufferConfig(
                base.memory(),
                base.disk(),
                base.floor(),
                base.shed(),
                base.quantum(),
                base.fsync(),
                Duration.ofMillis(1),
                base.segmentSize(),
                base.maxApps());
        FairBuffer b = buffer(c, PLENTY);
        b.offerDurable(List.of(rec("fwd", 0)), r -> {});
        // Waits for the fsync thread; the bound only keeps a broken build from hanging.
        for (int i = 0; i < 30_000 && b.forcedSegments() == 0; i++) {
            Thread.sleep(1);
        }
        assertThat(b.forcedSegments()).isPositive();
    }
}
