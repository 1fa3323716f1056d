package io.spillway.input.tail;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.spillway.admission.Admission;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.InputMetrics;
import io.spillway.pipeline.RecordSink;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TailInputTest {
    private static final String ID_A = "a".repeat(64);
    private static final String ID_B = "b".repeat(64);
    private static final String ID_C = "c".repeat(64);

    @TempDir
    Path docker;

    @TempDir
    Path data;

    final Metrics metrics = new Metrics();
    final Sink sink = new Sink();
    final List<TailInput> inputs = new ArrayList<>();

    @AfterEach
    void closeAll() {
        inputs.forEach(TailInput::close);
    }

    /** Collects messages; refuses while {@code refuse} is set, like a full buffer. */
    static final class Sink implements RecordSink {
        final List<LogRecord> records = new ArrayList<>();
        int acceptLeft = Integer.MAX_VALUE;

        @Override
        public Admission accept(LogRecord r) {
            if (acceptLeft <= 0) {
                return Admission.dropped("buffer_full");
            }
            acceptLeft--;
            records.add(r);
            return Admission.ACCEPTED;
        }

        List<String> messages() {
            return records.stream().map(LogRecord::messageText).toList();
        }
    }

    private TailConfig config(int maxOpenFiles) {
        return new TailConfig(
                true,
                docker,
                Path.of(""),
                Duration.ofSeconds(1),
                maxOpenFiles,
                DataSize.ofKiB(256),
                DataSize.ofKiB(4),
                "",
                "",
                "node-1");
    }

    private TailInput input(int maxOpenFiles) {
        TailConfig c = config(maxOpenFiles);
        TailInput in = new TailInput(
                c,
                c.checkpointFile(data),
                new InputMetrics(metrics, "tail"),
                InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z")));
        in.open(sink);
        inputs.add(in);
        return in;
    }

    private Path log(String id) throws IOException {
        Path dir = Files.createDirectories(docker.resolve(id));
        Files.writeString(dir.resolve("config.v2.json"), "{\"Name\":\"/web-" + id.charAt(0) + "\"}");
        return dir.resolve(id + "-json.log");
    }

    private static String entry(String text) {
        return "{\"log\":\"" + text + "\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00.000000001Z\"}\n";
    }

    private static void append(Path file, int from, int to) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append(entry("line-" + i));
        }
        Files.writeString(
                file, sb.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static List<String> lines(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "line-" + i).toList();
    }

    private double errors(String kind) {
        for (MetricSnapshot s : metrics.registry().scrape()) {
            if (s.getMetadata().getName().equals("spillway_input_errors")) {
                for (DataPointSnapshot dp : s.getDataPoints()) {
                    if (kind.equals(dp.getLabels().get("kind"))) {
                        return ((CounterSnapshot.CounterDataPointSnapshot) dp).getValue();
                    }
                }
            }
        }
        return 0;
    }

    @Test
    void runOnce_appendedLines_arriveWithAppHostAndStream() throws IOException {
        Path f = log(ID_A);
        append(f, 0, 3);
        TailInput in = input(16);
        in.runOnce();
        assertThat(sink.messages()).isEqualTo(lines(0, 3));
        LogRecord r = sink.records.getFirst();
        assertThat(r.app()).isEqualTo("web-a");
        assertThat(r.host()).isEqualTo("node-1");
        assertThat(r.source()).isEqualTo(ID_A);
        assertThat(r.stream()).isEqualTo(LogStream.STDOUT);
        assertThat(r.timestamp()).isEqualTo(1767225600_000000001L);
        append(f, 3, 500); // more than one read buffer
        in.runOnce();
        assertThat(sink.messages()).isEqualTo(lines(0, 500));
    }

    @Test
    void runOnce_unterminatedLine_waitsForItsNewline() throws IOException {
        Path f = log(ID_A);
        String e = entry("half");
        Files.writeString(f, e.substring(0, 20));
        TailInput in = input(16);
        in.runOnce();
        assertThat(sink.records).isEmpty();
        Files.writeString(f, e.substring(20), StandardOpenOption.APPEND);
        in.runOnce();
        assertThat(sink.messages()).containsExactly("half");
    }

    @Test
    void rotationRenameCopytruncateAndRestart_everyLineExactlyOnce() throws IOException {
        Path f = log(ID_A);
        TailInput in = input(16);
        append(f, 0, 10);
        in.runOnce();

        // rotation by rename: the writer keeps writing to its open handle, then reopens the path
        try (FileChannel writer = FileChannel.open(f, StandardOpenOption.APPEND)) {
            append(f, 10, 20);
            Files.move(f, f.resolveSibling(f.getFileName() + ".1"));
            writer.write(ByteBuffer.wrap(entry("line-20").getBytes(StandardCharsets.UTF_8)));
        }
        append(f, 21, 30); // a new file at the same path
        in.runOnce();
        assertThat(sink.messages()).isEqualTo(lines(0, 30));
        assertThat(in.openFiles()).isEqualTo(2); // the rotated file stays open for one quiet round
        in.runOnce();
        assertThat(in.openFiles()).isEqualTo(1);

        // copytruncate: copied away, cut to 0, the writer carries on at the start
        append(f, 30, 35);
        in.runOnce();
        Files.copy(f, f.resolveSibling(f.getFileName() + ".2"));
        Files.write(f, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
        append(f, 35, 37);
        in.runOnce();
        assertThat(sink.messages()).isEqualTo(lines(0, 37));

        // restart over the same checkpoint: lines written while down arrive once, none twice
        append(f, 37, 40);
        in.close();
        inputs.remove(in);
        append(f, 40, 45);
        TailInput again = input(16);
        again.runOnce();
        assertThat(sink.messages()).isEqualTo(lines(0, 45));
        append(f, 45, 50);
        again.runOnce();
        assertThat(sink.messages()).isEqualTo(lines(0, 50));
    }

    @Test
    void runOnce_sinkRefuses_rewindsAndDeliversLaterWithoutDuplicates() throws IOException {
        Path f = log(ID_A);
        append(f, 0, 10);
        TailInput in = input(16);
        sink.acceptLeft = 4;
        in.runOnce();
        assertThat(sink.messages()).isEqualTo(lines(0, 4));
        in.runOnce(); // still full
        sink.acceptLeft = Integer.MAX_VALUE;
        in.runOnce();
        assertThat(sink.messages()).isEqualTo(lines(0, 10));
    }

    @Test
    void restart_afterRefusal_resumesAtTheLastAcceptedLine() throws IOException {
        Path f = log(ID_A);
        append(f, 0, 10);
        TailInput in = input(16);
        sink.acceptLeft = 6;
        in.runOnce();
        in.close();
        inputs.remove(in);
        sink.acceptLeft = Integer.MAX_VALUE;
        input(16).runOnce();
        assertThat(sink.messages()).isEqualTo(lines(0, 10));
    }

    @Test
    void runOnce_partialEntriesAcrossRestart_joinedOnce() throws IOException {
        Path f = log(ID_A);
        Files.writeString(f, "{\"log\":\"first \",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00Z\"}\n");
        TailInput in = input(16);
        in.runOnce();
        assertThat(sink.records).isEmpty();
        in.close();
        inputs.remove(in);
        Files.writeString(f, entry("second"), StandardOpenOption.APPEND);
        input(16).runOnce();
        assertThat(sink.messages()).containsExactly("first second");
    }

    private TailInput inputReadingFromEnd() {
        TailConfig b = config(16);
        TailConfig c = new TailConfig(
                true,
                b.dockerRoot(),
                b.criRoot(),
                b.scanInterval(),
                16,
                b.maxLine(),
                b.readBuffer(),
                "",
                "",
                "node-1",
                TailConfig.ReadFrom.END);
        TailInput in =
                new TailInput(c, c.checkpointFile(data), new InputMetrics(metrics, "tail"), InstantSource.system());
        inputs.add(in);
        in.open(sink);
        return in;
    }

    @Test
    void readFromEnd_firstStart_existingLinesSkippedAppendedAndNewFilesRead() throws IOException {
        Path a = log(ID_A);
        append(a, 0, 3);
        // a line still being written at the first start is read whole once its newline comes
        Files.writeString(a, entry("line-3").substring(0, 15), StandardOpenOption.APPEND);
        TailInput in = inputReadingFromEnd();
        in.runOnce();
        assertThat(sink.messages()).isEmpty();
        Files.writeString(a, entry("line-3").substring(15), StandardOpenOption.APPEND);
        append(a, 4, 5);
        Path b = log(ID_B);
        append(b, 100, 102);
        in.runOnce();
        assertThat(sink.messages()).containsExactlyInAnyOrder("line-3", "line-4", "line-100", "line-101");
    }

    @Test
    void readFromEnd_checkpointExists_notAFirstStartSoNothingSkipped() throws IOException {
        Path a = log(ID_A);
        append(a, 0, 2);
        TailInput first = input(16);
        first.runOnce();
        first.close();
        assertThat(sink.messages()).containsExactly("line-0", "line-1");
        Path b = log(ID_B);
        append(b, 100, 101);
        append(a, 2, 3);
        inputReadingFromEnd().runOnce();
        assertThat(sink.messages()).containsExactly("line-0", "line-1", "line-2", "line-100");
    }

    @Test
    void runOnce_newFilesPickedUp_deletedFilesFinishedAndReleased() throws IOException {
        Path a = log(ID_A);
        append(a, 0, 2);
        TailInput in = input(16);
        in.runOnce();
        Path b = log(ID_B);
        append(b, 100, 102);
        in.runOnce();
        assertThat(in.openFiles()).isEqualTo(2);
        assertThat(sink.messages()).containsExactlyInAnyOrder("line-0", "line-1", "line-100", "line-101");

        // written, then deleted before the next round: still read through the open handle
        append(a, 2, 4);
        Files.writeString(
                a,
                "{\"log\":\"no newline\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00Z\"}\n",
                StandardOpenOption.APPEND);
        Files.delete(a);
        in.runOnce();
        assertThat(sink.messages()).contains("line-2", "line-3");
        in.runOnce(); // a round with nothing appended: finished and released
        assertThat(in.openFiles()).isEqualTo(1);
        assertThat(sink.messages()).contains("line-2", "line-3", "no newline");
    }

    @Test
    void watch_newContainerLongBeforeTheNextScan_readAtOnce() throws Exception {
        // scan_interval of an hour: only the directory watch can start the round that reads it.
        TailConfig base = config(16);
        TailConfig c = new TailConfig(
                true,
                docker,
                Path.of(""),
                Duration.ofHours(1),
                16,
                base.maxLine(),
                base.readBuffer(),
                "",
                "",
                "node-1",
                TailConfig.ReadFrom.BEGINNING,
                true);
        List<LogRecord> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        TailInput in =
                new TailInput(c, data.resolve("cp.json"), new InputMetrics(metrics, "tail"), InstantSource.system());
        in.start(r -> {
            got.add(r);
            return Admission.ACCEPTED;
        });
        try {
            Thread.sleep(200); // the first round has run and the thread sleeps for an hour
            Path f = log(ID_A);
            // The file appears with its lines (written aside, then renamed into place): created
            // empty, a round woken by its creation could open it before the lines are written, and
            // only the next scan, an hour away here, would read them (at most scan_interval, 1s by
            // default, in practice).
            Path aside = f.resolveSibling("being-written.tmp");
            append(aside, 0, 3);
            Files.move(aside, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (got.size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(got).extracting(LogRecord::messageText).containsExactly("line-0", "line-1", "line-2");
        } finally {
            in.stop();
        }
    }

    @Test
    void runOnce_fileCreatedAndRemovedBeforeItsRound_countedRemovedUnread() throws IOException {
        TailInput in = input(16);
        Path f = log(ID_A);
        append(f, 0, 2);
        in.created(f); // the watch saw it appear...
        Files.delete(f); // ...and it was gone before the round could open it
        in.runOnce();
        assertThat(errors("removed_unread")).isEqualTo(1);
        // A file that was opened in time is not counted, deleted or not.
        Path g = log(ID_B);
        append(g, 0, 2);
        in.created(g);
        in.runOnce();
        Files.delete(g);
        in.runOnce();
        assertThat(errors("removed_unread")).isEqualTo(1);
        assertThat(sink.messages()).containsExactly("line-0", "line-1");
    }

    @Test
    void runOnce_moreFilesThanMaxOpen_boundedAndPickedUpWhenOneIsReleased() throws IOException {
        Path a = log(ID_A);
        append(a, 0, 1);
        append(log(ID_B), 1, 2);
        append(log(ID_C), 2, 3);
        TailInput in = input(2);
        in.runOnce();
        assertThat(in.openFiles()).isEqualTo(2);
        assertThat(sink.records).hasSize(2);
        assertThat(errors("max_open_files")).isEqualTo(1);
        Files.delete(a);
        in.runOnce(); // a noticed deleted
        in.runOnce(); // a quiet for a round: finished and released
        in.runOnce(); // c opened
        assertThat(in.openFiles()).isEqualTo(2);
        assertThat(sink.messages()).containsExactlyInAnyOrder("line-0", "line-1", "line-2");
    }

    @Test
    void runOnce_malformedAndOverlongLines_countedAndSkipped() throws IOException {
        Path f = log(ID_A);
        Files.writeString(f, "garbage\n" + "{\"log\":\"" + "y".repeat(400 * 1024) + "\"}\n" + entry("ok"));
        TailInput in = input(16);
        in.runOnce(); // a round reads at most READS_PER_ROUND buffers of 4 KiB: two rounds for 400 KiB
        in.runOnce();
        assertThat(sink.messages()).containsExactly("ok");
        assertThat(errors("parse_error")).isEqualTo(1);
        assertThat(errors("too_large")).isEqualTo(1);
    }

    @Test
    void criRoot_podLogs_tailedWithContainerAsApp() throws IOException {
        Path cri = docker.resolve("pods");
        Path file = Files.createDirectories(cri.resolve("shop_web-7d4b9c-x2x9z_uid/nginx"))
                .resolve("0.log");
        Files.writeString(file, "2026-01-01T00:00:00Z stderr P a \n2026-01-01T00:00:01Z stderr F b\n");
        TailConfig base = config(16);
        TailConfig c = new TailConfig(
                true, Path.of(""), cri, base.scanInterval(), 16, base.maxLine(), base.readBuffer(), "", "", "node-1");
        TailInput in =
                new TailInput(c, data.resolve("cp.json"), new InputMetrics(metrics, "tail"), InstantSource.system());
        inputs.add(in);
        in.open(sink);
        in.runOnce();
        assertThat(sink.messages()).containsExactly("a b");
        assertThat(sink.records.getFirst().app()).isEqualTo("nginx");
        assertThat(sink.records.getFirst().stream()).isEqualTo(LogStream.STDERR);
    }

    @Test
    void concurrentWriterRotatingByRename_thenRestart_everyLineExactlyOnce() throws Exception {
        Path f = log(ID_A);
        Files.createFile(f);
        int total = 2000;
        int perFile = 400;
        java.util.concurrent.atomic.AtomicInteger rounds = new java.util.concurrent.atomic.AtomicInteger();
        TailInput in = input(16);
        Thread writer = new Thread(() -> {
            try {
                FileChannel ch = FileChannel.open(f, StandardOpenOption.APPEND);
                for (int i = 0; i < total; i++) {
                    ch.write(ByteBuffer.wrap(entry("line-" + i).getBytes(StandardCharsets.UTF_8)));
                    if (i % perFile == perFile - 1 && i + 2 < total) {
                        // polling cannot see a file that lived between two rounds: rotate at most
                        // once per two rounds, as a real writer rotating every few MiB does
                        int seen = rounds.get();
                        while (rounds.get() < seen + 2) {
                            Thread.onSpinWait();
                        }
                        Files.move(f, f.resolveSibling(f.getFileName() + "." + i));
                        // a few lines still land in the old file through the open handle
                        ch.write(ByteBuffer.wrap(entry("line-" + ++i).getBytes(StandardCharsets.UTF_8)));
                        ch.close();
                        ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    }
                }
                ch.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        while (writer.isAlive()) {
            in.runOnce();
            rounds.incrementAndGet();
        }
        writer.join();
        for (int i = 0; i < 4; i++) {
            in.runOnce();
        }
        assertThat(sink.messages()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(lines(0, total));
        assertThat(sink.messages()).isEqualTo(lines(0, total));

        in.close();
        inputs.remove(in);
        append(f, total, total + 10);
        TailInput again = input(16);
        again.runOnce();
        assertThat(sink.messages()).isEqualTo(lines(0, total + 10));
    }

    @Test
    void open_corruptCheckpoint_countedAndStartsFromTheBeginning() throws IOException {
        Path f = log(ID_A);
        append(f, 0, 3);
        Files.writeString(data.resolve("tail-checkpoints.json"), "{\"files\":[{\"path\":");
        TailInput in = input(16);
        in.runOnce();
        assertThat(sink.messages()).isEqualTo(lines(0, 3));
        assertThat(errors("read_error")).isEqualTo(1);
        // the next checkpoint is whole again
        in.close();
        inputs.remove(in);
        input(16).runOnce();
        assertThat(sink.messages()).isEqualTo(lines(0, 3));
    }
}
