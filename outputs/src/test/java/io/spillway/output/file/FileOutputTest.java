package io.spillway.output.file;

import static io.spillway.output.file.FileTesting.config;
import static io.spillway.output.file.FileTesting.diskBytes;
import static io.spillway.output.file.FileTesting.files;
import static io.spillway.output.file.FileTesting.lines;
import static io.spillway.output.file.FileTesting.messageForLine;
import static io.spillway.output.file.FileTesting.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.output.file.FileOutputConfig.Format;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import io.spillway.space.SpaceFloor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileOutputTest {
    private static final int KIB4 = 4096;

    @TempDir
    Path tmp;

    private Path dir;
    private final List<FileOutput> outputs = new ArrayList<>();
    private final Metrics metrics = new Metrics();

    private FileOutput open(FileOutputConfig config) throws IOException {
        dir = tmp.resolve("files");
        FileOutput out = new FileOutput("file", config, dir, metrics);
        out.start();
        outputs.add(out);
        return out;
    }

    @AfterEach
    void closeAll() throws IOException {
        for (FileOutput out : outputs) {
            out.close();
        }
    }

    private double counter(String name, String... labels) {
        return metrics.counter(name, "", metrics.labelNames(name))
                .labelValues(labels)
                .get();
    }

    /** The accounting matches the disk and every bound holds. */
    private void assertBounds(FileOutput out, FileOutputConfig c) throws IOException {
        Map<String, Long> files = files(dir);
        assertThat(out.totalBytes()).as("accounted bytes vs disk").isEqualTo(diskBytes(dir));
        assertThat(diskBytes(dir)).isLessThanOrEqualTo(c.maxTotal().bytes());
        assertThat(files.values())
                .allSatisfy(size ->
                        assertThat(size).isLessThanOrEqualTo(c.maxFileSize().bytes()));
        assertThat(out.openFiles()).isLessThanOrEqualTo(c.maxOpenFiles());
    }

    @Test
    void write_twoApps_eachToItsOwnFileInOrder() throws IOException {
        FileOutput out = open(FileOutputConfig.defaults());

        out.write(List.of(record("web", "one"), record("worker", "a"), record("web", "two"), record("web", "three")));

        assertThat(files(dir)).containsOnlyKeys("web.log", "worker.log");
        assertThat(lines(dir.resolve("web.log")))
                .containsExactly(
                        "2015-07-29T03:00:00.003000Z node-7 web.1[stdout] info: one",
                        "2015-07-29T03:00:00.003000Z node-7 web.1[stdout] info: two",
                        "2015-07-29T03:00:00.003000Z node-7 web.1[stdout] info: three");
        assertThat(lines(dir.resolve("worker.log"))).hasSize(1);
    }

    @Test
    void write_newlineNonAsciiAndEmptyMessages_oneLineEach() throws IOException {
        FileOutput out = open(FileOutputConfig.defaults());

        out.write(List.of(record("web", "a\nb"), record("web", "ünïcødé ✓"), record("web", "")));

        assertThat(lines(dir.resolve("web.log")))
                .extracting(l -> l.substring(l.indexOf(": ") + 2))
                .containsExactly("a\\nb", "ünïcødé ✓", "");
    }

    @Test
    void write_jsonFormat_eachLineParsesBack() throws IOException {
        FileOutputConfig c = new FileOutputConfig(
                true, "", Format.JSON, DataSize.ofMiB(1), 2, DataSize.ofMiB(4), 8, SpaceFloor.ofBytes(0), false);
        FileOutput out = open(c);
        LogRecord r = new LogRecord(
                FileTesting.T0,
                "node-7",
                "web",
                "web.1",
                LogStream.STDERR,
                Severity.ERROR,
                "boom\n\tat Foo.bar(Foo.java:1)".getBytes(StandardCharsets.UTF_8),
                Map.of("request_id", "42"));

        out.write(List.of(r, record("web", "next")));

        List<String> lines = lines(dir.resolve("web.log"));
        assertThat(lines).hasSize(2);
        JsonNode n = new ObjectMapper().readTree(lines.get(0));
        assertThat(n.get("timestamp").asText()).isEqualTo("2015-07-29T03:00:00.003000000Z");
        assertThat(n.get("app").asText()).isEqualTo("web");
        assertThat(n.get("severity").asText()).isEqualTo("err");
        assertThat(n.get("message").asText()).isEqualTo("boom\n\tat Foo.bar(Foo.java:1)");
        assertThat(n.get("fields").get("request_id").asText()).isEqualTo("42");
    }

    @Test
    void write_lineWouldPassMaxFileSize_rotatesBeforeIt() throws IOException {
        FileOutputConfig c = config(KIB4, 5, 1 << 20, 8);
        FileOutput out = open(c);
        LogRecord kb = record("web", messageForLine(1000));

        out.write(List.of(kb, kb, kb, kb));
        assertThat(files(dir)).containsExactly(Map.entry("web.log", 4000L));

        out.write(List.of(kb));

        assertThat(files(dir)).containsExactly(Map.entry("web.log", 1000L), Map.entry("web.log.1", 4000L));
        assertThat(counter("spillway_output_file_rotations", "file")).isEqualTo(1);
        assertBounds(out, c);
    }

    @Test
    void write_manyRotations_keepsMaxFilesNewestFirst() throws IOException {
        FileOutputConfig c = config(KIB4, 3, 1 << 20, 8);
        FileOutput out = open(c);

        for (int i = 0; i < 20; i++) {
            out.write(List.of(record(
                    "web",
                    String.format(java.util.Locale.ROOT, "%02d ", i)
                            + messageForLine(2000).substring(3))));
        }

        assertThat(files(dir)).containsOnlyKeys("web.log", "web.log.1", "web.log.2");
        // Two 2000-byte lines per file: the live file holds 18-19, .1 holds 16-17, .2 holds 14-15.
        assertThat(lines(dir.resolve("web.log")))
                .extracting(FileOutputTest::firstWord)
                .containsExactly("18", "19");
        assertThat(lines(dir.resolve("web.log.1")))
                .extracting(FileOutputTest::firstWord)
                .containsExactly("16", "17");
        assertThat(lines(dir.resolve("web.log.2")))
                .extracting(FileOutputTest::firstWord)
                .containsExactly("14", "15");
        assertThat(counter("spillway_output_file_deleted_files", "file", "max_files"))
                .isEqualTo(7);
        assertThat(counter("spillway_output_file_deleted_bytes", "file", "max_files"))
                .isEqualTo(7 * 4000);
        assertBounds(out, c);
    }

    private static String firstWord(String line) {
        String message = line.substring(line.indexOf(": ") + 2);
        return message.substring(0, message.indexOf(' '));
    }

    @Test
    void write_maxFilesOne_rotationStartsAFreshLiveFile() throws IOException {
        FileOutputConfig c = config(KIB4, 1, 1 << 20, 8);
        FileOutput out = open(c);
        LogRecord kb3 = record("web", messageForLine(3000));

        out.write(List.of(kb3, kb3, kb3));

        assertThat(files(dir)).containsExactly(Map.entry("web.log", 3000L));
        assertThat(counter("spillway_output_file_deleted_files", "file", "max_files"))
                .isEqualTo(2);
        assertBounds(out, c);
    }

    @Test
    void write_noisyAppPastTotal_quietAppKeepsItsFiles() throws IOException {
        FileOutputConfig c = config(KIB4, 10, 16 * 1024, 8);
        FileOutput out = open(c);
        out.write(List.of(record("quiet", "q1"), record("quiet", "q2"), record("quiet", messageForLine(3000))));
        List<String> quietBefore = lines(dir.resolve("quiet.log"));

        for (int i = 0; i < 300; i++) {
            out.write(List.of(record("noisy", messageForLine(700))));
            assertThat(diskBytes(dir)).isLessThanOrEqualTo(c.maxTotal().bytes());
        }

        assertThat(lines(dir.resolve("quiet.log"))).isEqualTo(quietBefore);
        assertThat(counter("spillway_output_file_deleted_files", "file", "max_total"))
                .isPositive();
        // Deletion frees one file at a time, so the directory stays close to full, not far below it.
        assertThat(diskBytes(dir)).isGreaterThan(c.maxTotal().bytes() - KIB4 - 700);
        assertBounds(out, c);
    }

    @Test
    void write_totalCapWithOnlyLiveFiles_heaviestAppsLiveFileGoes() throws IOException {
        FileOutputConfig c = config(KIB4, 1, 8192, 8);
        FileOutput out = open(c);

        out.write(List.of(record("a", messageForLine(4000))));
        out.write(List.of(record("b", messageForLine(3000))));
        out.write(List.of(record("c", messageForLine(2000))));

        assertThat(files(dir)).containsExactly(Map.entry("b.log", 3000L), Map.entry("c.log", 2000L));
        assertThat(counter("spillway_output_file_deleted_bytes", "file", "max_total"))
                .isEqualTo(4000);
        assertBounds(out, c);
    }

    @Test
    void write_writerIsHeaviest_losesItsOwnOldestFirst() throws IOException {
        FileOutputConfig c = config(KIB4, 5, 12_000, 8);
        FileOutput out = open(c);
        out.write(List.of(record("other", messageForLine(3000))));

        for (int i = 0; i < 12; i++) {
            out.write(List.of(record("web", messageForLine(2000))));
        }

        assertThat(files(dir)).containsEntry("other.log", 3000L);
        assertThat(out.totalBytes()).isLessThanOrEqualTo(12_000);
        assertBounds(out, c);
    }

    @Test
    void start_existingFiles_appendsAndRotatesAtTheBound() throws IOException {
        FileOutputConfig c = config(KIB4, 5, 1 << 20, 8);
        LogRecord kb = record("web", messageForLine(1000));
        FileOutput first = open(c);
        first.write(List.of(kb, kb, kb));
        first.close();

        FileOutput second = open(c);
        assertThat(second.totalBytes()).isEqualTo(3000);
        second.write(List.of(kb, kb));

        assertThat(files(dir)).containsExactly(Map.entry("web.log", 1000L), Map.entry("web.log.1", 4000L));
        assertBounds(second, c);
    }

    @Test
    void start_existingFilesOverSmallerCaps_trimmedHeaviestFirst() throws IOException {
        FileOutput first = open(config(KIB4, 5, 1 << 20, 8));
        LogRecord kb = record("noisy", messageForLine(1000));
        for (int i = 0; i < 20; i++) {
            first.write(List.of(kb));
        }
        first.write(List.of(record("quiet", messageForLine(1000))));
        first.close();
        assertThat(files(dir)).containsKeys("noisy.log.4", "quiet.log");

        FileOutputConfig smaller = config(KIB4, 3, 10_000, 8);
        FileOutput second = open(smaller);

        assertThat(files(dir)).doesNotContainKeys("noisy.log.3", "noisy.log.4").containsKey("quiet.log");
        assertThat(files(dir)).doesNotContainKey("noisy.log.2"); // then max_total: noisy is heaviest
        assertThat(counter("spillway_output_file_deleted_files", "file", "max_files"))
                .isEqualTo(2);
        assertThat(counter("spillway_output_file_deleted_files", "file", "max_total"))
                .isEqualTo(1);
        assertBounds(second, smaller);
    }

    @Test
    void start_tornLastLine_nextRecordStartsOnANewLine() throws IOException {
        dir = tmp.resolve("files");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("web.log"), "complete\npartial li");

        FileOutput out = open(FileOutputConfig.defaults());
        out.write(List.of(record("web", "after")));

        assertThat(lines(dir.resolve("web.log")))
                .containsExactly(
                        "complete", "partial li", "2015-07-29T03:00:00.003000Z node-7 web.1[stdout] info: after");
        assertThat(out.totalBytes()).isEqualTo(diskBytes(dir));
    }

    @Test
    void start_foreignEntries_neitherCountedNorTouched() throws IOException {
        dir = tmp.resolve("files");
        Files.createDirectories(dir.resolve("sub.log"));
        Files.writeString(dir.resolve("notes.txt"), "x".repeat(5000));
        Files.writeString(dir.resolve("web.log.0"), "x".repeat(5000));
        Files.writeString(dir.resolve("we b.log"), "x".repeat(5000));
        Files.createSymbolicLink(dir.resolve("link.log"), dir.resolve("notes.txt"));

        FileOutput out = open(config(KIB4, 2, KIB4, 8));
        out.write(List.of(record("web", "hello")));

        assertThat(out.totalBytes()).isEqualTo(Files.size(dir.resolve("web.log")));
        assertThat(files(dir)).containsEntry("notes.txt", 5000L).containsEntry("web.log.0", 5000L);
        assertThat(Files.isSymbolicLink(dir.resolve("link.log"))).isTrue();
        assertThat(Files.isDirectory(dir.resolve("sub.log"))).isTrue();
    }

    @Test
    void write_moreAppsThanOpenFiles_allWrittenWithBoundedHandles() throws IOException {
        FileOutputConfig c = config(1 << 20, 2, 64 << 20, 4);
        FileOutput out = open(c);
        List<String> apps = IntStream.range(0, 50).mapToObj(i -> "app-" + i).toList();

        for (int round = 0; round < 5; round++) {
            List<LogRecord> batch = new ArrayList<>();
            for (String app : apps) {
                batch.add(record(app, "round " + round));
            }
            out.write(batch);
            assertThat(out.openFiles()).isLessThanOrEqualTo(4);
            assertThat(openDescriptorsUnder(dir)).isLessThanOrEqualTo(4);
        }

        for (String app : apps) {
            assertThat(lines(dir.resolve(app + ".log"))).hasSize(5);
        }
        assertBounds(out, c);
    }

    /** Descriptors this process holds on files under {@code d}, from /proc (Linux). */
    private static long openDescriptorsUnder(Path d) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return 0;
        }
        long n = 0;
        try (Stream<Path> s = Files.list(fds)) {
            for (Path fd : s.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).startsWith(d)) {
                        n++;
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        return n;
    }

    @Test
    void write_appFileCannotBeOpened_throwsAndRecoversWithoutDrift() throws IOException {
        FileOutputConfig c = config(KIB4, 3, 1 << 20, 8);
        FileOutput out = open(c);
        out.write(List.of(record("ok", "before")));
        // A directory where the app's file should be: open fails even for root.
        Files.createDirectory(dir.resolve("web.log"));

        assertThatThrownBy(() -> out.write(List.of(record("ok", "again"), record("web", "blocked"))))
                .isInstanceOf(IOException.class);
        assertThat(out.totalBytes()).isGreaterThanOrEqualTo(diskBytes(dir));

        Files.delete(dir.resolve("web.log"));
        out.write(List.of(record("ok", "again"), record("web", "blocked")));

        assertThat(lines(dir.resolve("web.log"))).hasSize(1);
        assertThat(lines(dir.resolve("ok.log"))).hasSizeBetween(2, 3); // "again" may be written twice: at least once
        assertBounds(out, c);
    }

    @Test
    void write_rotationBlocked_throwsThenRotatesOnRetryWithExactAccounting() throws IOException {
        FileOutputConfig c = config(KIB4, 3, 1 << 20, 8);
        FileOutput out = open(c);
        LogRecord kb = record("web", messageForLine(1000));
        out.write(List.of(kb, kb, kb, kb));
        // Rotation renames web.log to web.log.1; a non-empty directory there makes the rename fail.
        Files.createDirectories(dir.resolve("web.log.1").resolve("x"));

        assertThatThrownBy(() -> out.write(List.of(kb))).isInstanceOf(IOException.class);
        assertThat(files(dir)).containsExactly(Map.entry("web.log", 4000L));

        Files.delete(dir.resolve("web.log.1").resolve("x"));
        Files.delete(dir.resolve("web.log.1"));
        out.write(List.of(kb));

        assertThat(files(dir)).containsExactly(Map.entry("web.log", 1000L), Map.entry("web.log.1", 4000L));
        assertBounds(out, c);
    }

    @Test
    void write_readOnlyDirectory_throwsAndRecoversOnceWritable() throws IOException {
        FileOutputConfig c = config(KIB4, 3, 1 << 20, 8);
        FileOutput out = open(c);
        out.write(List.of(record("ok", "before")));
        out.close(); // no open handle: the next write must create or open a file
        Set<PosixFilePermission> before = Files.getPosixFilePermissions(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
        try {
            // Root ignores directory permissions; the blocked-file tests above cover that case.
            assumeFalse(Files.isWritable(dir), "running as a user that ignores permissions");

            assertThatThrownBy(() -> out.write(List.of(record("new", "x")))).isInstanceOf(IOException.class);
        } finally {
            Files.setPosixFilePermissions(dir, before);
        }
        out.write(List.of(record("new", "x")));

        assertThat(files(dir)).containsOnlyKeys("ok.log", "new.log");
        assertBounds(out, c);
    }

    @Test
    void write_symlinkAtAppFile_refusedTargetUntouched() throws IOException {
        FileOutput out = open(FileOutputConfig.defaults());
        Path target = tmp.resolve("target.txt");
        Files.writeString(target, "precious\n");
        Files.createSymbolicLink(dir.resolve("web.log"), target);

        assertThatThrownBy(() -> out.write(List.of(record("web", "evil")))).isInstanceOf(IOException.class);

        assertThat(Files.readString(target)).isEqualTo("precious\n");
    }

    @Test
    void write_directoryRemovedWhileRunning_recreated() throws IOException {
        FileOutput out = open(FileOutputConfig.defaults());
        out.write(List.of(record("web", "one")));
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);

        out.write(List.of(record("worker", "two")));

        assertThat(lines(dir.resolve("worker.log"))).hasSize(1);
    }

    @Test
    void start_dirIsAFile_throws() throws IOException {
        Path file = tmp.resolve("files");
        Files.writeString(file, "not a directory");
        FileOutput out = new FileOutput("file", FileOutputConfig.defaults(), file, new Metrics());

        assertThatThrownBy(out::start).isInstanceOf(IOException.class);
    }

    @Test
    void write_freeSpaceBelowFloor_refusedUntilSpaceReturns() throws IOException {
        dir = tmp.resolve("files");
        long[] free = {10L << 20};
        FileOutputConfig c = new FileOutputConfig(
                true,
                "",
                Format.TEXT,
                DataSize.ofKiB(4),
                2,
                DataSize.ofKiB(16),
                8,
                SpaceFloor.ofBytes(DataSize.ofMiB(64).bytes()),
                false);
        FileOutput out = new FileOutput("file", c, dir, metrics, d -> free[0]);
        outputs.add(out);
        out.start();

        assertThatThrownBy(() -> out.write(List.of(record("web", "x"))))
                .isInstanceOf(IOException.class)
                .isInstanceOf(io.spillway.space.FloorException.class)
                .hasMessageContaining("outputs.file.min_free_space 64MiB");
        assertThat(files(dir)).isEmpty();
        assertThat(counter("spillway_output_file_below_floor", "file")).isEqualTo(1);

        free[0] = 1L << 30;
        out.write(List.of(record("web", "x")));

        assertThat(lines(dir.resolve("web.log"))).hasSize(1);
    }

    @Test
    void write_realFreeSpaceProbe_abovePlausibleFloorWrites() throws IOException {
        FileOutputConfig c = new FileOutputConfig(
                true, "", Format.TEXT, DataSize.ofKiB(4), 2, DataSize.ofKiB(16), 8, SpaceFloor.ofBytes(1), false);
        FileOutput out = open(c);

        out.write(List.of(record("web", "x")));

        assertThat(files(dir)).containsOnlyKeys("web.log");
    }

    @Test
    void write_beforeStart_throws() {
        FileOutput out = new FileOutput("file", FileOutputConfig.defaults(), tmp.resolve("x"), new Metrics());

        assertThatThrownBy(() -> out.write(List.of(record("web", "x")))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void write_hostileAppName_staysInsideDir() throws IOException {
        FileOutput out = open(FileOutputConfig.defaults());

        out.write(List.of(record("../../etc/passwd", "x"), record("..", "y"), record("a/b", "z")));

        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("files");
        }
        assertThat(files(dir)).containsOnlyKeys(".._.._etc_passwd.log", "_..log", "a_b.log");
    }

    @Test
    void write_lineLongerThanMaxFileSize_cutToFitAndCounted() throws IOException {
        FileOutputConfig c = config(KIB4, 2, 16 * 1024, 8);
        FileOutput out = open(c);
        String huge = "é".repeat(10_000); // 2 bytes each: a cut must not split one

        out.write(List.of(record("web", huge)));

        byte[] content = Files.readAllBytes(dir.resolve("web.log"));
        assertThat(content.length).isLessThanOrEqualTo(KIB4).isGreaterThan(KIB4 - 100);
        String text = strictUtf8(content);
        String kept = text.substring(text.indexOf(": ") + 2, text.indexOf(" [spillway"));
        assertThat(kept).matches("é+");
        assertThat(text).endsWith(" [spillway: truncated " + (20_000 - 2 * kept.length()) + " bytes]\n");
        assertThat(counter("spillway_output_file_truncated_records", "file")).isEqualTo(1);
        assertBounds(out, c);
    }

    @Test
    void write_jsonRecordWithHugeFields_fallsBackToMarkerOnly() throws IOException {
        FileOutputConfig c = new FileOutputConfig(
                true, "", Format.JSON, DataSize.ofKiB(4), 2, DataSize.ofKiB(16), 8, SpaceFloor.ofBytes(0), false);
        FileOutput out = open(c);
        LogRecord r = record("web", "\u0001".repeat(3000)).withFields(Map.of("big", "\u0002".repeat(3000)));

        out.write(List.of(r));

        List<String> lines = lines(dir.resolve("web.log"));
        assertThat(lines).hasSize(1);
        JsonNode n = new ObjectMapper().readTree(lines.get(0));
        assertThat(n.get("message").asText()).startsWith(" [spillway: truncated");
        assertThat(Files.size(dir.resolve("web.log"))).isLessThanOrEqualTo(KIB4);
    }

    @Test
    void flush_fsyncOnFlush_forcesWithoutError() throws IOException {
        FileOutputConfig c = new FileOutputConfig(
                true, "", Format.TEXT, DataSize.ofKiB(4), 2, DataSize.ofKiB(16), 1, SpaceFloor.ofBytes(0), true);
        FileOutput out = open(c);

        out.write(List.of(record("a", "x"), record("b", "y")));
        out.flush();

        assertThat(files(dir)).containsOnlyKeys("a.log", "b.log");
    }

    @Test
    void write_gauges_reportBytesAndOpenFiles() throws IOException {
        FileOutput out = open(FileOutputConfig.defaults());

        out.write(List.of(record("a", "x"), record("b", "y")));

        assertThat(metrics.gauge("spillway_output_file_bytes", "", "output")
                        .labelValues("file")
                        .get())
                .isEqualTo(diskBytes(dir));
        assertThat(metrics.gauge("spillway_output_file_open_files", "", "output")
                        .labelValues("file")
                        .get())
                .isEqualTo(2);
    }

    private static String strictUtf8(byte[] b) throws CharacterCodingException {
        return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(b))
                .toString();
    }
}
