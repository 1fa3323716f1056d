package io.spillway.output.file;

import static io.spillway.output.file.FileTesting.diskBytes;
import static io.spillway.output.file.FileTesting.files;
import static io.spillway.output.file.FileTesting.lines;
import static io.spillway.output.file.FileTesting.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The outage of DESIGN.md §1 replayed into the file output: an error-page app floods ~7 KB lines
 * while a quiet app logs a little. The directory stays within its caps and the quiet app keeps its
 * file.
 */
class FileOutputCorpusTest {
    @TempDir
    Path tmp;

    private static List<String> corpusLines(String file) throws IOException {
        String dir = System.getProperty("spillway.corpus");
        if (dir == null || !Files.isDirectory(Path.of(dir))) {
            fail("the sample corpus is missing: set the system property spillway.corpus to the corpus "
                    + "directory (Surefire sets it to <repo>/testdata/corpus); got " + dir);
        }
        return Files.readAllLines(Path.of(dir, file), StandardCharsets.UTF_8);
    }

    @Test
    void write_railsErrorPageFlood_quietAppKeepsFileAndCapsHold() throws IOException {
        List<String> flood = corpusLines("rails-error-page.log");
        assertThat(flood).anySatisfy(l -> assertThat(l.length()).isGreaterThan(6000));
        FileOutputConfig config = FileTesting.config(64 * 1024, 3, 160 * 1024, 4);
        Path dir = tmp.resolve("files");
        Metrics metrics = new Metrics();
        try (FileOutput out = new FileOutput("file", config, dir, metrics)) {
            out.start();
            out.write(List.of(record("billing", "invoice 1 sent"), record("billing", "invoice 2 sent")));
            List<String> billing = lines(dir.resolve("billing.log"));

            for (int round = 0; round < 200; round++) {
                List<LogRecord> batch = new ArrayList<>();
                for (String line : flood) {
                    batch.add(record("error-page", line));
                }
                out.write(batch);
                assertThat(diskBytes(dir)).isLessThanOrEqualTo(config.maxTotal().bytes());
            }

            assertThat(lines(dir.resolve("billing.log"))).isEqualTo(billing);
            // max_files allows error-page three files (192 KiB); max_total (160 KiB) also takes its oldest.
            assertThat(files(dir))
                    .containsKeys("billing.log", "error-page.log", "error-page.log.1")
                    .doesNotContainKey("error-page.log.3");
            assertThat(metrics.counter("spillway_output_file_deleted_files", "", "output", "reason")
                            .labelValues("file", "max_total")
                            .get())
                    .isPositive();
            assertThat(files(dir).values()).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(64 * 1024));
            assertThat(lines(dir.resolve("error-page.log"))).last().asString().endsWith(flood.get(flood.size() - 1));
        }
    }
}
