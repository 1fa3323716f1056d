package io.spillway.buffer;

import static io.spillway.buffer.FairBufferTest.byApp;
import static io.spillway.buffer.FairBufferTest.config;
import static io.spillway.buffer.FairBufferTest.drain;
import static io.spillway.buffer.FairBufferTest.rec;
import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.buffer.FairBufferConfig.Fsync;
import io.spillway.buffer.FairBufferConfig.Shed;
import io.spillway.guard.DropLedger;
import io.spillway.guard.MarkersConfig;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import io.spillway.space.DiskSpace;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corruption tests in the manner of Kafka's {@code testRecoveryWithCorruptMessage}: spill segments of
 * known batches are written, damaged with garbage, and recovered. Every record outside the damaged
 * bytes must come back, every lost record must be counted for its app with reason {@code corrupt} and
 * appear in the app's drop marker, and what cannot be read must be in {@code quarantine/}.
 */
class FairBufferCorruptionTest {
    private static final FakeDiskSpace PLENTY = new FakeDiskSpace(1L << 40, 1L << 41);
    private static final int BATCHES = 10;
    private static final int PER_BATCH = 100;
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    final RecordingDrops counted = new RecordingDrops();
    final DropLedger ledger =
            new DropLedger(MarkersConfig.defaults(), 100, "h", InstantSource.fixed(NOW.minusSeconds(10)), counted);
    final List<FairBuffer> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(FairBuffer::close);
    }

    FairBuffer recover() throws IOException {
        return recover(PLENTY);
    }

    FairBuffer recover(DiskSpace space) throws IOException {
        FairBuffer b = new FairBuffer(
                "test", config(64 << 10, 4 << 20, Shed.NEWEST, Fsync.NEVER), dir, ledger, new Metrics(), space);
        open.add(b);
        return b;
    }

    /** Writes app {@code app}'s segment of {@value #BATCHES} batches of {@value #PER_BATCH} records; returns batch offsets. */
    long[] writeSegment(String app) throws IOException {
        Path appDir = dir.resolve(app);
        Files.createDirectories(appDir);
        Segment s = Segment.create(appDir, SpillLog.FIRST_SEQ);
        long[] offsets = new long[BATCHES + 1];
        for (int b = 0; b < BATCHES; b++) {
            offsets[b] = s.fileBytes;
            List<byte[]> encoded = new ArrayList<>();
            long recBytes = 0;
            long msgBytes = 0;
            for (int i = 0; i < PER_BATCH; i++) {
                LogRecord r = rec(app, b * PER_BATCH + i);
                encoded.add(RecordCodec.encode(r));
                recBytes += r.sizeBytes();
                msgBytes += r.messageLength();
            }
            s.append(Segment.encodeBatch(encoded), PER_BATCH, recBytes, msgBytes);
        }
        offsets[BATCHES] = s.fileBytes;
        s.close();
        return offsets;
    }

    Path segment(String app) {
        return dir.resolve(app).resolve(Segment.fileName(SpillLog.FIRST_SEQ));
    }

    void garble(Path file, long at, int length) throws IOException {
        byte[] junk = new byte[length];
        new Random(42).nextBytes(junk);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(junk), at);
        }
    }

    /** Seqs of the records of batches [from, to). */
    static List<Integer> batches(int from, int to) {
        List<Integer> l = new ArrayList<>();
        for (int i = from * PER_BATCH; i < to * PER_BATCH; i++) {
            l.add(i);
        }
        return l;
    }

    List<Path> quarantined() throws IOException {
        Path q = dir.resolve(Quarantine.DIR);
        if (!Files.exists(q)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(q)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    /** The app's drop marker of the interval just ended. */
    String marker(String app) {
        return ledger.flush(NOW).stream()
                .filter(m -> m.app().equals(app))
                .map(m -> m.messageText() + " " + m.fields())
                .findFirst()
                .orElse("no marker");
    }

    @Test
    void recover_headerGarbled16Bytes_onlyFirstBatchLostAndCountedRestDelivered() throws Exception {
        writeSegment("a");
        garble(segment("a"), 0, 16); // the file's magic and the first batch's header

        List<Integer> out = byApp(drain(recover())).get("a");

        assertThat(out).isEqualTo(batches(1, BATCHES));
        // The first batch's header is gone, so its count is estimated from its bytes and the mean
        // size of the records that survived: about one batch.
        assertThat(counted.records("a", "corrupt")).isBetween((long) PER_BATCH - 2, (long) PER_BATCH + 2);
        assertThat(marker("a")).contains("spillway: dropped").contains("corrupt");
        assertThat(quarantined()).hasSize(1);
        assertThat(segment("a")).doesNotExist(); // delivered, so deleted
    }

    @Test
    void recover_4KiBGarbleInsideOneBatch_onlyThatBatchLostCountedExactly() throws Exception {
        long[] at = writeSegment("a");
        long middle = at[4] + Segment.BATCH_HEADER_BYTES + 100;
        assertThat(middle + 4096).isLessThan(at[5]);
        garble(segment("a"), middle, 4096);

        List<Integer> out = byApp(drain(recover())).get("a");

        List<Integer> expected = new ArrayList<>(batches(0, 4));
        expected.addAll(batches(5, BATCHES));
        assertThat(out).isEqualTo(expected);
        assertThat(counted.records("a", "corrupt")).isEqualTo(PER_BATCH);
        assertThat(marker("a")).contains("dropped 100 lines").contains("reasons=corrupt=100");
        assertThat(quarantined()).hasSize(1);
        assertThat(Files.size(quarantined().get(0))).isEqualTo(at[BATCHES]);
    }

    @Test
    void recover_4KiBGarbleAcrossABatchHeader_bothDamagedBatchesLostRestDelivered() throws Exception {
        long[] at = writeSegment("a");
        garble(segment("a"), at[6] - 2048, 4096); // the end of batch 5 and the start of batch 6

        List<Integer> out = byApp(drain(recover())).get("a");

        List<Integer> expected = new ArrayList<>(batches(0, 5));
        expected.addAll(batches(7, BATCHES));
        assertThat(out).isEqualTo(expected);
        // Batch 5's header survived but leads into damage; both counts are estimated from the bytes.
        assertThat(counted.records("a", "corrupt")).isBetween(2L * PER_BATCH - 4, 2L * PER_BATCH + 4);
        assertThat(marker("a")).contains("corrupt");
        assertThat(quarantined()).hasSize(1);
    }

    @Test
    void recover_tornTail_lastBatchLostCountedFromItsHeader_tailQuarantined() throws Exception {
        long[] at = writeSegment("a");
        try (FileChannel ch = FileChannel.open(segment("a"), StandardOpenOption.WRITE)) {
            ch.truncate(at[BATCHES] - 1000);
        }

        List<Integer> out = byApp(drain(recover())).get("a");

        assertThat(out).isEqualTo(batches(0, BATCHES - 1));
        assertThat(counted.records("a", "corrupt")).isEqualTo(PER_BATCH);
        assertThat(marker("a")).contains("dropped 100 lines");
        assertThat(quarantined())
                .singleElement()
                .satisfies(p -> assertThat(Files.size(p)).isEqualTo(at[BATCHES] - 1000 - at[BATCHES - 1]));
    }

    @Test
    void recover_garbageAppended_everyRecordDelivered_noRecordCounted_garbageQuarantined() throws Exception {
        long[] at = writeSegment("a");
        byte[] junk = new byte[3000];
        java.util.Arrays.fill(junk, (byte) 0xEE);
        Files.write(segment("a"), junk, StandardOpenOption.APPEND);

        List<Integer> out = byApp(drain(recover())).get("a");

        assertThat(out).isEqualTo(batches(0, BATCHES));
        assertThat(counted.total()).isZero();
        assertThat(quarantined())
                .singleElement()
                .satisfies(p -> assertThat(Files.size(p)).isEqualTo(3000));
    }

    @Test
    void recover_wholeFileGarbage_movedToQuarantine_otherAppsDelivered() throws Exception {
        writeSegment("a");
        writeSegment("b");
        byte[] junk = new byte[20_000];
        new Random(7).nextBytes(junk);
        Files.write(segment("b"), junk);

        List<LogRecord> all = drain(recover());

        assertThat(byApp(all).get("a")).isEqualTo(batches(0, BATCHES));
        assertThat(byApp(all)).doesNotContainKey("b");
        assertThat(segment("b")).doesNotExist();
        assertThat(quarantined()).singleElement().satisfies(p -> {
            assertThat(p.getParent().getFileName().toString()).isEqualTo("b");
            assertThat(Files.readAllBytes(p)).isEqualTo(junk);
        });
    }

    @Test
    void recover_batchGarbledInEachOfTwoApps_eachAppCountedForItsOwnLoss() throws Exception {
        long[] a = writeSegment("a");
        long[] b = writeSegment("b");
        garble(segment("a"), a[2] + 500, 64);
        garble(segment("b"), b[7] + 500, 64);
        garble(segment("b"), b[8] + 500, 64);

        List<LogRecord> all = drain(recover());

        assertThat(byApp(all).get("a")).hasSize((BATCHES - 1) * PER_BATCH);
        assertThat(byApp(all).get("b")).hasSize((BATCHES - 2) * PER_BATCH);
        assertThat(counted.records("a", "corrupt")).isEqualTo(PER_BATCH);
        assertThat(counted.records("b", "corrupt")).isEqualTo(2L * PER_BATCH);
    }

    @Test
    void recover_rewrittenSegment_nextStartFindsNoDamage() throws Exception {
        long[] at = writeSegment("a");
        garble(segment("a"), at[3] + 100, 4096);
        recover().close();
        open.clear();
        long first = counted.records("a", "corrupt");

        List<Integer> out = byApp(drain(recover())).get("a");

        assertThat(first).isEqualTo(PER_BATCH);
        assertThat(counted.records("a", "corrupt")).isEqualTo(first);
        assertThat(out).hasSize((BATCHES - 1) * PER_BATCH).isSorted();
    }

    @Test
    void recover_garbleMidSegmentAtTheFloor_nothingWritten_damageSkippedInPlace() throws Exception {
        long[] at = writeSegment("a");
        garble(segment("a"), at[3] + 100, 4096);
        long size = Files.size(segment("a"));
        FakeDiskSpace full = new FakeDiskSpace(1, 1L << 30); // far below the 5% floor

        FairBuffer b = recover(full);

        assertThat(Files.size(segment("a"))).isEqualTo(size); // not rewritten: no second file
        assertThat(quarantined()).isEmpty();
        List<Integer> expected = new ArrayList<>(batches(0, 3));
        expected.addAll(batches(4, BATCHES));
        assertThat(byApp(drain(b)).get("a")).isEqualTo(expected);
        assertThat(counted.records("a", "corrupt")).isEqualTo(PER_BATCH);
    }

    @Test
    void poll_batchGarbledWhileDelivering_onlyThatBatchLostCountedExactly() throws Exception {
        long[] at = writeSegment("a");
        FairBuffer buffer = recover();
        garble(segment("a"), at[3] + 100, 4096);

        List<LogRecord> out = drain(buffer);

        List<Integer> expected = new ArrayList<>(batches(0, 3));
        expected.addAll(batches(4, BATCHES));
        assertThat(out.stream().map(FairBufferTest::seqOf).toList()).isEqualTo(expected);
        assertThat(counted.records("a", "corrupt")).isEqualTo(PER_BATCH);
        assertThat(marker("a")).contains("dropped 100 lines");
        assertThat(buffer.records()).isZero();
        assertThat(quarantined()).hasSize(1);
    }
}
