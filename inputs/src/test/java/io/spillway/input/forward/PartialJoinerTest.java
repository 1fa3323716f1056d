package io.spillway.input.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.FakeClock;
import io.spillway.admission.Admission;
import io.spillway.admission.Receipt;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.InputMetrics;
import io.spillway.pipeline.RecordSink;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import io.spillway.space.DiskSpace;
import io.spillway.space.SpaceAccountant;
import io.spillway.space.SpaceConfig;
import io.spillway.space.SpaceFloor;
import io.spillway.space.SpaceWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The joiner of Docker's partial messages: joining, the journal that makes an acknowledged part
 * survive a crash, and every bound and fallback (each delivers, none drops).
 */
class PartialJoinerTest {
    private static final String CID = "4f1c2a9b3d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";
    private static final long T0 = 1_700_000_000_000_000_000L;

    @TempDir
    Path dir;

    private final Metrics metrics = new Metrics();
    private final FakeClock clock = new FakeClock(Instant.ofEpochSecond(1_700_000_000));
    private final List<PartialJoiner> started = new ArrayList<>();

    /** A sink recording what it got; receipts come back at once unless {@link #hold} is set. */
    static final class Sink implements RecordSink {
        final List<LogRecord> got = new CopyOnWriteArrayList<>();
        final List<Runnable> held = new CopyOnWriteArrayList<>();
        volatile boolean hold;

        @Override
        public Admission accept(LogRecord r) {
            got.add(r);
            return Admission.ACCEPTED;
        }

        @Override
        public void acceptDurable(List<LogRecord> records, Consumer<Receipt> onDurable) {
            got.addAll(records);
            Receipt receipt =
                    new Receipt(records.stream().map(r -> Admission.ACCEPTED).toList(), true);
            if (hold) {
                held.add(() -> onDurable.accept(receipt));
            } else {
                onDurable.accept(receipt);
            }
        }

        List<String> messages() {
            return got.stream().map(LogRecord::messageText).toList();
        }
    }

    private static ForwardConfig.Partial config(Duration timeout, DataSize maxLine, DataSize maxPending) {
        return new ForwardConfig.Partial(true, timeout, maxLine, maxPending);
    }

    private PartialJoiner start(ForwardConfig.Partial c, RecordSink sink, SpaceWriter space) throws Exception {
        PartialJoiner j = new PartialJoiner(
                c, dir.resolve(ForwardInput.JOURNAL_FILE), space, new InputMetrics(metrics, "forward"), clock);
        j.start(sink);
        started.add(j);
        return j;
    }

    private PartialJoiner start(RecordSink sink) throws Exception {
        return start(ForwardConfig.Partial.defaults(), sink, SpaceWriter.unaccounted("forward_partials", dir));
    }

    @AfterEach
    void stopAll() {
        for (PartialJoiner j : started) {
            j.stop();
        }
    }

    /** A part as Docker's fluentd driver sends it (through the forward decoder's mapping). */
    static LogRecord part(String source, String id, int ordinal, boolean last, String text) {
        return new LogRecord(
                T0 + ordinal,
                "host-a",
                "web",
                source,
                LogStream.STDOUT,
                Severity.UNKNOWN,
                text.getBytes(StandardCharsets.UTF_8),
                Map.of(
                        "container_id",
                        source,
                        "container_name",
                        "web",
                        "source",
                        "stdout",
                        PartialJoiner.MESSAGE,
                        "true",
                        PartialJoiner.ID,
                        id,
                        PartialJoiner.ORDINAL,
                        Integer.toString(ordinal),
                        PartialJoiner.LAST,
                        Boolean.toString(last)));
    }

    static PartialJoiner.Outcome offer(PartialJoiner j, LogRecord r) throws Exception {
        CompletableFuture<PartialJoiner.Outcome> f = new CompletableFuture<>();
        j.offer(r, f::complete);
        return f.get(10, TimeUnit.SECONDS);
    }

    static void await(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10s: " + what);
            }
            Thread.sleep(5);
        }
    }

    double errors(String kind) {
        return Fwd.errors(metrics, kind);
    }

    @Test
    void isPart_onlyWithDockersMarkersWellFormed() {
        assertThat(PartialJoiner.isPart(part(CID, "p1", 1, false, "a"))).isTrue();
        assertThat(PartialJoiner.isPart(LogRecord.of(T0, "h", "web", "a"))).isFalse();
        LogRecord noOrdinal =
                part(CID, "p1", 1, false, "a").withFields(Map.of("partial_message", "true", "partial_id", "x"));
        assertThat(PartialJoiner.isPart(noOrdinal)).isFalse();
        LogRecord badOrdinal = part(CID, "p1", 1, false, "a")
                .withFields(Map.of("partial_message", "true", "partial_id", "x", "partial_ordinal", "-1"));
        assertThat(PartialJoiner.isPart(badOrdinal)).isFalse();
        LogRecord notPartial = part(CID, "p1", 1, false, "a")
                .withFields(Map.of("partial_message", "false", "partial_id", "x", "partial_ordinal", "1"));
        assertThat(PartialJoiner.isPart(notPartial)).isFalse();
    }

    @Test
    void parts_joinedIntoOneLineWithTheFirstPartsTimeAndFieldsButNoMarkers() throws Exception {
        Sink sink = new Sink();
        PartialJoiner j = start(sink);
        assertThat(offer(j, part(CID, "p1", 1, false, "aaa"))).isEqualTo(PartialJoiner.Outcome.HELD);
        assertThat(offer(j, part(CID, "p1", 2, false, "bbb"))).isEqualTo(PartialJoiner.Outcome.HELD);
        assertThat(sink.got).as("nothing before the last part").isEmpty();
        assertThat(offer(j, part(CID, "p1", 3, true, "cc"))).isEqualTo(PartialJoiner.Outcome.HELD);
        await(() -> sink.got.size() == 1, "the joined line");
        LogRecord joined = sink.got.get(0);
        assertThat(joined.messageText()).isEqualTo("aaabbbcc");
        assertThat(joined.timestamp()).isEqualTo(T0 + 1);
        assertThat(joined.source()).isEqualTo(CID);
        assertThat(joined.fields())
                .containsEntry("container_id", CID)
                .containsEntry("source", "stdout")
                .doesNotContainKeys(PartialJoiner.MESSAGE, PartialJoiner.ID, PartialJoiner.ORDINAL, PartialJoiner.LAST);
        await(() -> journalBytes(j) == 0, "the journal emptied once the line is durable downstream");
    }

    @Test
    void parts_outOfOrderAndInterleavedAcrossContainers_eachLineJoinedInOrdinalOrder() throws Exception {
        Sink sink = new Sink();
        PartialJoiner j = start(sink);
        String other = CID.replace('4', '5');
        offer(j, part(CID, "p1", 2, false, "B"));
        offer(j, part(other, "p1", 1, false, "x"));
        offer(j, part(CID, "p1", 3, true, "C"));
        assertThat(sink.got).as("part 1 missing: not complete").isEmpty();
        offer(j, part(CID, "p1", 1, false, "A"));
        offer(j, part(other, "p1", 2, true, "y"));
        await(() -> sink.got.size() == 2, "both lines");
        assertThat(sink.messages()).containsExactlyInAnyOrder("ABC", "xy");
    }

    @Test
    void resentPart_acknowledgedAgainAndJoinedOnce() throws Exception {
        Sink sink = new Sink();
        PartialJoiner j = start(sink);
        offer(j, part(CID, "p1", 1, false, "A"));
        assertThat(offer(j, part(CID, "p1", 1, false, "A"))).isEqualTo(PartialJoiner.Outcome.HELD);
        offer(j, part(CID, "p1", 2, true, "B"));
        await(() -> sink.got.size() == 1, "the line");
        assertThat(sink.messages()).containsExactly("AB");
        assertThat(errors("duplicate_part")).isEqualTo(1);
    }

    @Test
    void heldPart_survivesACrash_andIsJoinedWithTheRestAfterRestart() throws Exception {
        Sink first = new Sink();
        PartialJoiner before = start(first);
        assertThat(offer(before, part(CID, "p1", 1, false, "acknowledged-")))
                .as("held means journaled and forced: the caller acknowledges it")
                .isEqualTo(PartialJoiner.Outcome.HELD);
        // A crash: the first joiner is abandoned, not stopped; a new one opens the same journal.
        Sink after = new Sink();
        PartialJoiner restarted = start(after);
        assertThat(restarted.heldParts()).isEqualTo(1);
        offer(restarted, part(CID, "p1", 2, true, "then-the-rest"));
        await(() -> after.got.size() == 1, "the joined line after the restart");
        assertThat(after.messages()).containsExactly("acknowledged-then-the-rest");
        assertThat(first.got).isEmpty();
    }

    @Test
    void completeLineNotYetDurableDownstream_deliveredAgainOnStart_confirmedOneNot() throws Exception {
        Sink first = new Sink();
        first.hold = true; // the buffer never confirms: the process dies first
        PartialJoiner before = start(first);
        offer(before, part(CID, "p1", 1, false, "A"));
        offer(before, part(CID, "p1", 2, true, "B"));
        await(() -> first.got.size() == 1, "the line handed over");
        assertThat(journalBytes(before))
                .as("its parts stay journaled until the receipt")
                .isPositive();
        before.stop();
        started.remove(before);

        Sink second = new Sink();
        PartialJoiner again = start(second);
        await(() -> second.got.size() == 1, "the line delivered again on start");
        assertThat(second.messages()).containsExactly("AB");
        await(() -> journalBytes(again) == 0, "confirmed this time");
        again.stop();
        started.remove(again);

        Sink third = new Sink();
        PartialJoiner last = start(third);
        assertThat(last.heldParts()).isZero();
        Thread.sleep(100);
        assertThat(third.got).as("a confirmed line is not delivered again").isEmpty();
    }

    @Test
    void lineThatNeverCompletes_deliveredAsItIsAfterTheTimeout_andCounted() throws Exception {
        Sink sink = new Sink();
        PartialJoiner j = start(
                config(Duration.ofSeconds(10), DataSize.ofKiB(256), DataSize.ofMiB(16)),
                sink,
                SpaceWriter.unaccounted("forward_partials", dir));
        offer(j, part(CID, "p1", 1, false, "A"));
        offer(j, part(CID, "p1", 2, false, "B"));
        clock.advance(Duration.ofSeconds(9));
        Thread.sleep(700);
        assertThat(sink.got).as("within the timeout: still waiting").isEmpty();
        clock.advance(Duration.ofSeconds(2));
        await(() -> sink.got.size() == 2, "the parts as they are");
        assertThat(sink.messages()).containsExactly("A", "B");
        assertThat(sink.got.get(0).fields()).containsEntry(PartialJoiner.ID, "p1");
        assertThat(errors("partial_timeout")).isEqualTo(1);
        await(() -> journalBytes(j) == 0, "nothing held");
    }

    @Test
    void lineLongerThanMaxLine_deliveredInJoinedRecordsOfAtMostMaxLine_nothingCut() throws Exception {
        Sink sink = new Sink();
        PartialJoiner j = start(
                config(Duration.ofSeconds(10), DataSize.ofKiB(1), DataSize.ofMiB(1)),
                sink,
                SpaceWriter.unaccounted("forward_partials", dir));
        StringBuilder whole = new StringBuilder();
        for (int i = 1; i <= 10; i++) {
            String text = Character.toString('a' + i).repeat(300);
            whole.append(text);
            offer(j, part(CID, "p1", i, i == 10, text));
        }
        await(() -> String.join("", sink.messages()).length() == 3000, "every byte");
        assertThat(String.join("", sink.messages())).isEqualTo(whole.toString());
        assertThat(sink.got).allSatisfy(r -> assertThat(r.messageLength()).isLessThanOrEqualTo(1024));
        assertThat(sink.got).hasSize(4); // 3 parts of 300 fit in 1 KiB, a fourth does not
        assertThat(errors("partial_too_long")).isEqualTo(3);
    }

    @Test
    void partsPastMaxPending_passThroughAsTheyAre_andTheHeldStayWithinTheBound() throws Exception {
        Sink sink = new Sink();
        DataSize maxPending = DataSize.ofKiB(8);
        PartialJoiner j = start(
                config(Duration.ofSeconds(10), DataSize.ofKiB(4), maxPending),
                sink,
                SpaceWriter.unaccounted("forward_partials", dir));
        int held = 0;
        int passed = 0;
        for (int i = 0; i < 20; i++) {
            PartialJoiner.Outcome o = offer(j, part(CID, "line-" + i, 1, false, "z".repeat(1000)));
            if (o == PartialJoiner.Outcome.HELD) {
                held++;
            } else {
                passed++;
            }
        }
        long perPart = part(CID, "line-0", 1, false, "z".repeat(1000)).sizeBytes() + PartialJoiner.PART_OVERHEAD;
        assertThat(held).isEqualTo((int) (maxPending.bytes() / perPart));
        assertThat(passed).isEqualTo(20 - held);
        assertThat(errors("partial_overflow")).isEqualTo(passed);
        assertThat(j.heldParts()).isEqualTo(held);
    }

    @Test
    void journalRefusedAtTheDiskFloor_partPassesThroughAndIsCounted() throws Exception {
        DiskSpace full = new DiskSpace() {
            @Override
            public long usableBytes() {
                return 1024 * 1024;
            }

            @Override
            public long totalBytes() {
                return 1L << 30;
            }
        };
        SpaceAccountant accountant = new SpaceAccountant(
                new SpaceConfig(Duration.ofSeconds(10), SpaceFloor.DEFAULT, Duration.ofMinutes(1)),
                d -> full,
                new Metrics(),
                clock);
        SpaceWriter w = accountant.register(
                "forward_partials", "forward", dir, SpaceFloor.ofBytes(2 * 1024 * 1024), "space.floor", false);
        Sink sink = new Sink();
        PartialJoiner j = start(ForwardConfig.Partial.defaults(), sink, w);
        assertThat(offer(j, part(CID, "p1", 1, false, "A"))).isEqualTo(PartialJoiner.Outcome.PASS);
        assertThat(errors("partial_unjournaled")).isEqualTo(1);
        assertThat(j.heldParts()).isZero();
        assertThat(Files.size(dir.resolve(ForwardInput.JOURNAL_FILE))).isZero();
    }

    @Test
    void tornJournalTail_cutOnStart_intactPartsKept_andCounted() throws Exception {
        Path journal = journalWithTwoParts();
        long intact = Files.size(journal);
        // The second entry torn by a crash mid-write: its last 5 bytes never reached the disk.
        try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.WRITE)) {
            ch.truncate(intact - 5);
        }
        Sink sink = new Sink();
        PartialJoiner j = start(sink);
        assertThat(j.heldParts()).isEqualTo(1);
        assertThat(errors("partial_journal_damaged")).isEqualTo(1);
        offer(j, part(CID, "p1", 2, true, "B"));
        await(() -> sink.got.size() == 1, "the line whose part was intact");
        assertThat(sink.messages()).containsExactly("AB");
    }

    @Test
    void flippedByteInTheJournal_cutThere_noCrash() throws Exception {
        Path journal = journalWithTwoParts();
        byte[] b = Files.readAllBytes(journal);
        b[b.length - 3] ^= 0x40;
        Files.write(journal, b);
        PartialJoiner j = start(new Sink());
        assertThat(j.heldParts()).isEqualTo(1);
        assertThat(errors("partial_journal_damaged")).isEqualTo(1);
        assertThat(Files.size(journal)).isLessThan(b.length);
    }

    @Test
    void journalWithAStalledLineOpen_staysBoundedByCompaction() throws Exception {
        Sink sink = new Sink();
        DataSize maxPending = DataSize.ofKiB(64);
        PartialJoiner j = start(
                config(Duration.ofMinutes(10), DataSize.ofKiB(4), maxPending),
                sink,
                SpaceWriter.unaccounted("forward_partials", dir));
        offer(j, part(CID, "stalled", 1, false, "never finished"));
        long bound = 2 * maxPending.bytes() + (1 << 20) + 4096;
        long largest = 0;
        for (int i = 0; i < 800; i++) {
            offer(j, part(CID, "line-" + i, 1, false, "q".repeat(1000)));
            offer(j, part(CID, "line-" + i, 2, true, "r".repeat(1000)));
            largest = Math.max(largest, journalBytes(j));
        }
        await(() -> sink.got.size() == 800, "every line");
        assertThat(largest)
                .as("journal size (it would reach ~1.9 MB unbounded)")
                .isLessThanOrEqualTo(bound);
        assertThat(j.heldParts()).as("the stalled line is still held").isEqualTo(1);
        j.stop();
        started.remove(j);
        PartialJoiner again = start(new Sink());
        assertThat(again.heldParts())
                .as("compaction kept the stalled line's part")
                .isEqualTo(1);
    }

    /** A journal holding two parts of two lines, left by a joiner that stopped. */
    private Path journalWithTwoParts() throws Exception {
        PartialJoiner before = start(new Sink());
        offer(before, part(CID, "p1", 1, false, "A"));
        offer(before, part(CID, "p2", 1, false, "X"));
        before.stop();
        started.remove(before);
        return dir.resolve(ForwardInput.JOURNAL_FILE);
    }

    private static long journalBytes(PartialJoiner j) {
        try {
            return j.journalBytes();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
