package io.spillway.output.file;

import static io.spillway.output.file.FileTesting.lines;
import static io.spillway.output.file.FileTesting.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.admission.DropCounter;
import io.spillway.buffer.MemoryBuffer;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.OutputWorker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delivery end to end in one process: buffer → output worker → file output → files. */
class FileOutputWorkerTest {
    @TempDir
    Path tmp;

    @Test
    void runOnce_recordsInBuffer_deliveredToAppFilesAndCommitted() throws Exception {
        Metrics metrics = new Metrics();
        MemoryBuffer buffer = new MemoryBuffer(1 << 20, new DropCounter(metrics, 100));
        Path dir = tmp.resolve("files");
        FileOutput output = new FileOutput("file", FileOutputConfig.defaults(), dir, metrics);
        OutputWorker worker = new OutputWorker(output, buffer, metrics, 7, 1 << 20);
        output.start();
        for (int i = 0; i < 50; i++) {
            assertThat(buffer.offer(record(i % 2 == 0 ? "web" : "worker", "line " + i))
                            .accepted())
                    .isTrue();
        }

        int rounds = 0;
        while (buffer.records() > 0 && rounds++ < 100) {
            worker.runOnce(Duration.ZERO);
        }

        assertThat(buffer.records()).isZero();
        assertThat(lines(dir.resolve("web.log"))).hasSize(25).last().asString().endsWith("line 48");
        assertThat(lines(dir.resolve("worker.log")))
                .hasSize(25)
                .last()
                .asString()
                .endsWith("line 49");
        assertThat(metrics.counter("spillway_output_written_records", "", "output")
                        .labelValues("file")
                        .get())
                .isEqualTo(50);
        output.close();
    }

    @Test
    void runOnce_fileBlocked_batchReleasedAndDeliveredOnceUnblocked() throws Exception {
        Metrics metrics = new Metrics();
        MemoryBuffer buffer = new MemoryBuffer(1 << 20, new DropCounter(metrics, 100));
        Path dir = tmp.resolve("files");
        FileOutput output = new FileOutput("file", FileOutputConfig.defaults(), dir, metrics);
        OutputWorker worker = new OutputWorker(output, buffer, metrics, 100, 1 << 20);
        output.start();
        Files.createDirectory(dir.resolve("web.log"));
        buffer.offer(record("web", "kept"));

        assertThat(worker.runOnce(Duration.ZERO)).isFalse();
        assertThat(buffer.records()).isEqualTo(1);
        assertThat(metrics.counter("spillway_output_errors", "", "output")
                        .labelValues("file")
                        .get())
                .isEqualTo(1);

        Files.delete(dir.resolve("web.log"));
        assertThat(worker.runOnce(Duration.ZERO)).isTrue();

        assertThat(buffer.records()).isZero();
        assertThat(lines(dir.resolve("web.log"))).singleElement().asString().endsWith("info: kept");
        output.close();
    }
}
