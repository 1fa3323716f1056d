package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.FakeClock;
import io.spillway.admission.Drops;
import io.spillway.buffer.Quarantine;
import io.spillway.config.DataSize;
import io.spillway.guard.DropLedger;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corruption tests in the manner of Kafka's {@code testRecoveryWithCorruptMessage}: chunks are written,
 * damaged with garbage, and the store reopened. Every record outside the damaged bytes must come back,
 * every lost record must be counted for its app with reason {@code corrupt}, a marker must be in the
 * app's own stream, and the damaged file must be in {@code quarantine/}.
 */
class LogStoreCorruptionTest {
    @TempDir
    Path dir;

    final FakeClock clock = FakeClock.ofEpochMilli(Stores.T0);
    final Map<String, AtomicLong> counted = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> marked = new ConcurrentHashMap<>();
    final Drops drops = new Drops() {
        @Override
        public void dropped(String app, String reason, long records, long bytes) {
            counted.computeIfAbsent(app + "/" + reason, k -> new AtomicLong()).addAndGet(records);
        }

        @Override
        public void droppedMarked(String app, String reason, long records, long bytes) {
            dropped(app, reason, records, bytes);
            marked.computeIfAbsent(app + "/" + reason, k -> new AtomicLong()).addAndGet(records);
        }
    };

    LogStore open(StoreConfig c) throws IOException {
        return LogStore.open(dir, c, new Metrics(), clock, System::nanoTime, 100, drops, "hub-1");
    }

    long corrupt(String app) {
        AtomicLong n = counted.get(app + "/corrupt");
        return n == null ? 0 : n.get();
    }

    static StoreConfig bigChunks() {
        return Stores.config(DataSize.ofMiB(1), DataSize.ofGiB(1), DataSize.ofMiB(512), Map.of());
    }

    /** Records with 1000 random letters: little compression, so a 1 MiB chunk has several blocks. */
    static List<LogRecord> letters(String app, int n) {
        Random rnd = new Random(1);
        List<LogRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[1000];
            for (int k = 0; k < b.length; k++) {
                b[k] = (byte) ('a' + rnd.nextInt(26));
            }
            out.add(Stores.record(app, i * 1_000_000L, i + " " + new String(b, StandardCharsets.US_ASCII)));
        }
        return out;
    }

    /** The records of the app's stream that are not loss markers, and the markers. */
    static List<LogRecord> records(List<LogRecord> all) {
        return all.stream().filter(r -> !isMarker(r)).toList();
    }

    static List<LogRecord> markers(List<LogRecord> all) {
        return all.stream().filter(LogStoreCorruptionTest::isMarker).toList();
    }

    static boolean isMarker(LogRecord r) {
        return DropLedger.MARKER_VALUE.equals(r.fields().get(DropLedger.MARKER_FIELD));
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

    static void garble(Path file, long at, int length) throws IOException {
        byte[] junk = new byte[length];
        new Random(42).nextBytes(junk);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(junk), at);
        }
    }

    /** Offsets of the frames of an {@code .open} file, and its end. */
    static List<Long> frameOffsets(Path open) throws IOException {
        byte[] all = Files.readAllBytes(open);
        List<Long> out = new ArrayList<>();
        int pos = 0;
        while (pos < all.length) {
            out.add((long) pos);
            pos += ActiveChunk.FRAME_HEAD + GrowableBuffer.getInt(all, pos);
        }
        out.add((long) pos);
        return out;
    }

    Path writeActive(List<LogRecord> in) throws IOException {
        try (LogStore s = open(Stores.small())) {
            s.append(in);
            s.sync();
            return s.dir().resolve("app").resolve(SealedChunk.name(0) + ActiveChunk.SUFFIX);
        }
    }

    @Test
    void recovery_openChunkGarbledInsideOneRecord_onlyThatRecordLostCountedExactly() throws IOException {
        List<LogRecord> in = Stores.records("app", 50, 0, 100);
        Path active = writeActive(in);
        List<Long> at = frameOffsets(active);
        garble(active, at.get(20) + ActiveChunk.FRAME_HEAD + 20, 40);

        try (LogStore s = open(Stores.small())) {
            List<LogRecord> all = Stores.all(s, "app");
            List<LogRecord> expected = new ArrayList<>(in);
            expected.remove(20);
            assertThat(records(all)).isEqualTo(expected);
            assertThat(corrupt("app")).isEqualTo(1);
            assertThat(marked.get("app/corrupt").get()).isEqualTo(1);
            assertThat(markers(all)).singleElement().satisfies(m -> {
                assertThat(m.messageText())
                        .startsWith("spillway: lost 1 record (")
                        .contains("to corruption in app/" + SealedChunk.name(0) + ".open")
                        .contains("quarantine/app/");
                assertThat(m.fields()).containsEntry("reasons", "corrupt=1").containsEntry("estimated", "false");
                assertThat(m.host()).isEqualTo("hub-1");
            });
        }
        assertThat(quarantined())
                .singleElement()
                .satisfies(p -> assertThat(Files.size(p)).isEqualTo(at.get(at.size() - 1)));
    }

    @Test
    void recovery_openChunk4KiBGarbleMidFile_recordsOutsideRecoveredLostEstimated() throws IOException {
        List<LogRecord> in = Stores.records("app", 400, 0, 100);
        Path active = writeActive(in);
        List<Long> at = frameOffsets(active);
        long from = at.get(100) + 50;
        garble(active, from, 4096);
        int firstLost = 100;
        int lastLost = 0;
        for (int i = 0; i < in.size(); i++) {
            if (at.get(i + 1) > from && at.get(i) < from + 4096) {
                lastLost = i;
            }
        }

        try (LogStore s = open(Stores.small())) {
            List<LogRecord> got = records(Stores.all(s, "app"));
            List<LogRecord> expected = new ArrayList<>(in.subList(0, firstLost));
            expected.addAll(in.subList(lastLost + 1, in.size()));
            assertThat(got).isEqualTo(expected);
            long lost = lastLost - firstLost + 1;
            // The frame lengths inside the garble are gone: the count is estimated from the bytes.
            assertThat(corrupt("app")).isBetween(lost - 1, lost + 1);
            assertThat(markers(Stores.all(s, "app")))
                    .singleElement()
                    .satisfies(m -> assertThat(m.messageText()).contains("lost about"));
        }
        assertThat(quarantined()).hasSize(1);
    }

    @Test
    void recovery_openChunkTornTail_cutNotCountedAsLost_tailQuarantined() throws IOException {
        // A last frame cut short is a write a crash interrupted before its sync: its record is still
        // in the buffer, which delivers it again, so it is not a loss (and no marker cries wolf after
        // every kill -9); the bytes are kept in quarantine all the same.
        List<LogRecord> in = Stores.records("app", 50, 0, 100);
        Path active = writeActive(in);
        long size = Files.size(active);
        try (FileChannel ch = FileChannel.open(active, StandardOpenOption.WRITE)) {
            ch.truncate(size - 30);
        }

        try (LogStore s = open(Stores.small())) {
            List<LogRecord> all = Stores.all(s, "app");
            assertThat(records(all)).isEqualTo(in.subList(0, 49));
            assertThat(corrupt("app")).isZero();
            assertThat(markers(all)).isEmpty();
        }
        assertThat(quarantined())
                .singleElement()
                .satisfies(p -> assertThat(p.getFileName().toString()).contains(".tail-"));
    }

    @Test
    void recovery_openChunkGarbageAppended_everyRecordKept_nothingCounted_garbageQuarantined() throws IOException {
        List<LogRecord> in = Stores.records("app", 50, 0, 100);
        Path active = writeActive(in);
        byte[] junk = new byte[500];
        java.util.Arrays.fill(junk, (byte) 0xEE);
        Files.write(active, junk, StandardOpenOption.APPEND);

        try (LogStore s = open(Stores.small())) {
            assertThat(Stores.all(s, "app")).isEqualTo(in);
            assertThat(counted).isEmpty();
        }
        assertThat(quarantined())
                .singleElement()
                .satisfies(p -> assertThat(Files.size(p)).isEqualTo(500));
    }

    /** Writes records until app "app" has one sealed chunk of several blocks; returns it. */
    SealedChunk writeSealed(List<LogRecord> in) throws IOException {
        try (LogStore s = open(bigChunks())) {
            s.append(in);
            s.awaitSeals();
            AppLog a = LogStoreTest.appLog(s, "app");
            assertThat(a.sealed).hasSize(1);
            assertThat(a.sealed.get(0).blocks.length).isGreaterThanOrEqualTo(3);
            return a.sealed.get(0);
        }
    }

    @Test
    void query_sealedBlockGarbled_otherBlocksRead_blockCutOutCountedExactly_markerAndQuarantine() throws IOException {
        List<LogRecord> in = letters("app", 1200);
        SealedChunk c = writeSealed(in);
        SealedChunk.Block b = c.blocks[1];
        garble(c.path, b.offset() + b.compressedLength() / 2, 64);

        try (LogStore s = open(bigChunks())) {
            List<LogRecord> expected = new ArrayList<>(in.subList(0, b.firstIndex()));
            expected.addAll(in.subList(b.firstIndex() + b.count(), in.size()));
            assertThat(Stores.all(s, "app")).isEqualTo(expected); // the block is skipped
            s.awaitSeals(); // the seal thread cuts it out
            s.maintain(); // the writer appends the marker
            List<LogRecord> all = Stores.all(s, "app");
            assertThat(records(all)).isEqualTo(expected);
            assertThat(corrupt("app")).isEqualTo(b.count());
            assertThat(markers(all))
                    .singleElement()
                    .satisfies(m -> assertThat(m.messageText())
                            .startsWith("spillway: lost " + b.count() + " records")
                            .contains(".zst"));
            assertThat(s.app("app").records()).isEqualTo(in.size() - b.count() + 1);
        }
        assertThat(quarantined()).hasSize(1);
        try (LogStore s = open(bigChunks())) {
            assertThat(records(Stores.all(s, "app"))).hasSize(in.size() - b.count());
            s.awaitSeals();
            assertThat(corrupt("app")).isEqualTo(b.count()); // repaired: not counted again
        }
    }

    @Test
    void recovery_sealedIndexGarbled_everyBlockSalvaged_nothingLost() throws IOException {
        List<LogRecord> in = letters("app", 1200);
        SealedChunk c = writeSealed(in);
        garble(c.path, c.fileSize - 20, 20); // the trailer and the end of the index

        try (LogStore s = open(bigChunks())) {
            assertThat(Stores.all(s, "app")).isEqualTo(in);
            assertThat(corrupt("app")).isZero();
        }
        assertThat(quarantined()).hasSize(1);
    }

    @Test
    void recovery_sealedBlockAndIndexGarbled_otherBlocksSalvaged_lostEstimated_markerAndQuarantine()
            throws IOException {
        List<LogRecord> in = letters("app", 1200);
        SealedChunk c = writeSealed(in);
        SealedChunk.Block b = c.blocks[1];
        garble(c.path, b.offset() + 100, 64);
        garble(c.path, c.fileSize - 20, 20);

        try (LogStore s = open(bigChunks())) {
            List<LogRecord> expected = new ArrayList<>(in.subList(0, b.firstIndex()));
            expected.addAll(in.subList(b.firstIndex() + b.count(), in.size()));
            List<LogRecord> all = Stores.all(s, "app");
            assertThat(records(all)).isEqualTo(expected);
            assertThat(corrupt("app")).isBetween(b.count() * 9L / 10, b.count() * 11L / 10);
            assertThat(markers(all))
                    .singleElement()
                    .satisfies(m -> assertThat(m.messageText()).contains("lost about"));
        }
        assertThat(quarantined()).hasSize(1);
    }

    @Test
    void recovery_unreadableSealedChunkWithItsOpenSource_sealedAgainFromTheSource_nothingLost() throws IOException {
        List<LogRecord> in = Stores.records("app", 50, 0, 100);
        Path active = writeActive(in);
        // A crash after the seal's rename and before the .open was deleted, then the .zst damaged.
        SealedChunk c = SealedChunk.write(active.getParent(), 0, Files.readAllBytes(active), 0, 3);
        byte[] junk = new byte[(int) c.fileSize];
        new Random(5).nextBytes(junk);
        Files.write(c.path, junk);

        try (LogStore s = open(Stores.small())) {
            assertThat(Stores.all(s, "app")).isEqualTo(in);
            assertThat(counted).isEmpty();
        }
        assertThat(quarantined()).hasSize(1);
    }

    @Test
    void recovery_sealedChunkWholeFileGarbage_movedToQuarantine_lostEstimatedFromOtherChunks() throws IOException {
        List<LogRecord> in = letters("app", 2400);
        SealedChunk garbage;
        List<SealedChunk> sealed;
        try (LogStore s = open(bigChunks())) {
            s.append(in);
            s.awaitSeals();
            sealed = List.copyOf(LogStoreTest.appLog(s, "app").sealed);
        }
        assertThat(sealed).hasSizeGreaterThanOrEqualTo(2);
        garbage = sealed.get(0);
        byte[] junk = new byte[(int) garbage.fileSize];
        new Random(3).nextBytes(junk);
        Files.write(garbage.path, junk);

        try (LogStore s = open(bigChunks())) {
            List<LogRecord> all = Stores.all(s, "app");
            assertThat(records(all)).isEqualTo(in.subList(garbage.count, in.size()));
            assertThat(corrupt("app")).isBetween(garbage.count * 8L / 10, garbage.count * 12L / 10);
            assertThat(markers(all))
                    .singleElement()
                    .satisfies(m -> assertThat(m.messageText())
                            .contains("moved to quarantine/app/" + garbage.path.getFileName()));
        }
        assertThat(garbage.path).doesNotExist();
        assertThat(quarantined())
                .singleElement()
                .satisfies(p -> assertThat(Files.readAllBytes(p)).isEqualTo(junk));
    }
}
