package io.spillway.output.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.spillway.Theories;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Random sequences of batches across apps, restarts and flushes, with small random caps: after every
 * step the disk matches the accounting and every bound holds, and each app's newest line is the last
 * line of its live file (eviction never takes the line just written; a later app's line in the same
 * batch may take an earlier app's whole file when {@code max_total} is small).
 */
class FileOutputPropertyTest {
    private static final String[] APPS = {"a", "b", "c", "noisy", "quiet-1", "x.y"};
    /** A falsified case shrinks for at most this many candidates: each one writes real files. */
    static final int SHRINK_CYCLES = 1000;

    /** One step: a batch of (app, message length) pairs, or a restart of the output. */
    record Step(boolean restart, List<Rec> records) {}

    record Rec(int app, int length) {}

    /** Steps: mostly batches of 1 to 12 records, short, long or past the file size; now and then a restart. */
    static Gen<Step> steps() {
        Gen<Rec> rec = integers()
                .between(0, APPS.length - 1)
                .zip(
                        Generate.oneOf(
                                integers().between(0, 200),
                                integers().between(200, 3000),
                                integers().between(4000, 9000)),
                        Rec::new);
        Gen<Step> batch = lists().of(rec).ofSizeBetween(1, 12).map(l -> new Step(false, l));
        return Generate.frequency(Pair.of(12, batch), Pair.of(1, Generate.constant(new Step(true, List.of()))));
    }

    @Test
    void write_randomSequences_neverExceedCaps() {
        Theories.qt(150)
                .withShrinkCycles(SHRINK_CYCLES)
                .forAll(
                        lists().of(steps()).ofSizeBetween(1, 30),
                        integers().between(1, 4),
                        integers().between(4096, 24_000),
                        integers().between(1, 3))
                .checkAssert((steps, maxFiles, maxTotal, maxOpenFiles) -> {
                    try {
                        writeSteps(steps, maxFiles, maxTotal, maxOpenFiles);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    private static void writeSteps(List<Step> steps, int maxFiles, int maxTotal, int maxOpenFiles) throws IOException {
        FileOutputConfig config = FileTesting.config(4096, maxFiles, maxTotal, maxOpenFiles);
        Path dir = Files.createTempDirectory("file-output-property");
        FileOutput out = new FileOutput("file", config, dir, new Metrics());
        int seq = 0;
        try {
            out.start();
            for (Step step : steps) {
                if (step.restart()) {
                    out.close();
                    out = new FileOutput("file", config, dir, new Metrics());
                    out.start();
                    check(out, config, dir, Map.of(), "");
                    continue;
                }
                List<LogRecord> batch = new ArrayList<>();
                // The output writes the batch grouped by app in order of first appearance.
                Map<String, String> newest = new LinkedHashMap<>();
                String lastApp = "";
                for (Rec r : step.records()) {
                    String app = APPS[r.app()];
                    String message = (seq++) + " " + "m".repeat(r.length());
                    batch.add(FileTesting.record(app, message));
                    newest.put(app, message);
                }
                for (String app : newest.keySet()) {
                    lastApp = app;
                }
                out.write(batch);
                check(out, config, dir, newest, lastApp);
            }
        } finally {
            out.close();
            deleteTree(dir);
        }
    }

    private static void check(
            FileOutput out, FileOutputConfig config, Path dir, Map<String, String> newest, String lastApp)
            throws IOException {
        Map<String, Long> files = FileTesting.files(dir);
        long disk = files.values().stream().mapToLong(Long::longValue).sum();
        assertThat(out.totalBytes()).as("accounting").isEqualTo(disk);
        assertThat(disk).as("max_total").isLessThanOrEqualTo(config.maxTotal().bytes());
        assertThat(out.openFiles()).as("max_open_files").isLessThanOrEqualTo(config.maxOpenFiles());
        Map<String, Integer> perApp = new HashMap<>();
        for (Map.Entry<String, Long> f : files.entrySet()) {
            assertThat(f.getValue()).as("max_file_size of " + f.getKey()).isLessThanOrEqualTo(4096);
            String name = f.getKey();
            String app = name.endsWith(".log")
                    ? name.substring(0, name.length() - 4)
                    : name.replaceAll("\\.log\\.\\d+$", "");
            if (!name.endsWith(".log")) {
                int index = Integer.parseInt(name.substring(name.lastIndexOf('.') + 1));
                assertThat(index).as(name).isBetween(1, config.maxFiles() - 1);
            }
            perApp.merge(app, 1, Integer::sum);
        }
        assertThat(perApp.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(config.maxFiles()));
        for (Map.Entry<String, String> e : newest.entrySet()) {
            Path live = dir.resolve(e.getKey() + ".log");
            if (!e.getKey().equals(lastApp) && !Files.exists(live)) {
                continue; // max_total may delete an earlier app's files for a later app in the same batch
            }
            List<String> lines = Files.readAllLines(live, StandardCharsets.UTF_8);
            String last = lines.get(lines.size() - 1);
            String message = last.substring(last.indexOf(": ") + 2);
            String expected = e.getValue();
            if (message.contains(" [spillway: truncated ")) {
                assertThat(expected).startsWith(message.substring(0, message.indexOf(" [spillway: truncated ")));
            } else {
                assertThat(message).isEqualTo(expected);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
