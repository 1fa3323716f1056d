package io.spillway.output.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.io.IOException;
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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random sequences of batches across apps, restarts and flushes, with small random caps: after every
 * step the disk matches the accounting and every bound holds, and each app's newest line is the last
 * line of its live file (eviction never takes the line just written; a later app's line in the same
 * batch may take an earlier app's whole file when {@code max_total} is small).
 */
class FileOutputPropertyTest {
    private static final String[] APPS = {"a", "b", "c", "noisy", "quiet-1", "x.y"};

    /** One step: a batch of (app, message length) pairs, or a restart of the output. */
    record Step(boolean restart, List<Rec> records) {}

    record Rec(int app, int length) {}

    @Provide
    Arbitrary<Step> steps() {
        Arbitrary<Rec> rec = Combinators.combine(
                        Arbitraries.integers().between(0, APPS.length - 1),
                        Arbitraries.oneOf(
                                Arbitraries.integers().between(0, 200),
                                Arbitraries.integers().between(200, 3000),
                                Arbitraries.integers().between(4000, 9000)))
                .as(Rec::new);
        Arbitrary<Step> batch = rec.list().ofMinSize(1).ofMaxSize(12).map(l -> new Step(false, l));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, batch),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Step(true, List.of()))));
    }

    @Property(tries = 150)
    void write_randomSequences_neverExceedCaps(
            @ForAll @Size(min = 1, max = 30) List<@net.jqwik.api.From("steps") Step> steps,
            @ForAll @IntRange(min = 1, max = 4) int maxFiles,
            @ForAll @IntRange(min = 4096, max = 24_000) int maxTotal,
            @ForAll @IntRange(min = 1, max = 3) int maxOpenFiles)
            throws IOException {
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
