package io.spillway.output.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.spillway.Theories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Heaviest first: whenever {@code max_total} deletes a file, its app held at least as much as any other. */
class LogDirectoryPropertyTest {
    private static final String[] APPS = {"a", "b", "c", "d"};
    /** A falsified case shrinks for at most this many candidates: each one writes real files. */
    static final int SHRINK_CYCLES = 1000;

    @Test
    void append_pastMaxTotal_deletesOnlyFromAHeaviestApp() {
        Theories.qt(200)
                .withShrinkCycles(SHRINK_CYCLES)
                .forAll(
                        lists().of(integers().between(0, 3)).ofSizeBetween(1, 200),
                        lists().of(integers().between(1, 4096)).ofSizeBetween(1, 200),
                        integers().between(1, 5),
                        integers().between(4096, 40_000))
                .checkAssert((apps, lengths, maxFiles, maxTotal) -> {
                    try {
                        appendAll(apps, lengths, maxFiles, maxTotal);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    private static void appendAll(List<Integer> apps, List<Integer> lengths, int maxFiles, int maxTotal)
            throws IOException {
        Path dir = Files.createTempDirectory("log-directory-property");
        List<String> violations = new ArrayList<>();
        LogDirectory[] holder = new LogDirectory[1];
        LogDirectory.Listener listener = new LogDirectory.Listener() {
            @Override
            public void deleted(String app, Path file, long bytes, String reason) {
                if (!reason.equals(LogDirectory.REASON_MAX_TOTAL)) {
                    return;
                }
                // Called after the file's bytes left the accounting: add them back for "before".
                long before = holder[0].appBytes(app) + bytes;
                for (String other : APPS) {
                    if (!other.equals(app) && holder[0].appBytes(other) > before) {
                        violations.add(app + " (" + before + " B) lost " + file.getFileName() + " while " + other
                                + " held " + holder[0].appBytes(other) + " B");
                    }
                }
            }

            @Override
            public void rotated(String app) {}
        };
        try (LogDirectory d = new LogDirectory(dir, 4096, maxFiles, maxTotal, 2, false, listener)) {
            holder[0] = d;
            d.scan();
            for (int i = 0; i < apps.size(); i++) {
                byte[] line = new byte[lengths.get(i % lengths.size())];
                Arrays.fill(line, (byte) 'x');
                line[line.length - 1] = '\n';
                d.append(APPS[apps.get(i)], line, 0, line.length);
                assertThat(d.totalBytes()).isLessThanOrEqualTo(maxTotal);
            }
            d.finishBatch();
            assertThat(d.totalBytes()).isEqualTo(FileTesting.diskBytes(dir));
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        assertThat(violations).isEmpty();
    }
}
