package io.spillway.input.tail;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.admission.Admission;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.InputMetrics;
import io.spillway.record.LogRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The input's own thread: started, it delivers appended lines; stopped, it leaves a checkpoint. */
class TailInputIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path docker;

    @TempDir
    Path data;

    @Test
    void startStop_threadDeliversAndCheckpointSurvives() throws Exception {
        Path dir = Files.createDirectories(docker.resolve("d".repeat(64)));
        Path log = dir.resolve("d".repeat(64) + "-json.log");
        Files.writeString(log, "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00Z\"}\n");
        TailConfig c = new TailConfig(
                true,
                docker,
                Path.of(""),
                Duration.ofMillis(20),
                16,
                DataSize.ofKiB(256),
                DataSize.ofKiB(64),
                "",
                "",
                "node-1");
        List<LogRecord> got = new CopyOnWriteArrayList<>();
        TailInput in = new TailInput(
                c, c.checkpointFile(data), new InputMetrics(new Metrics(), "tail"), InstantSource.system());
        assertThat(in.name()).isEqualTo("tail");
        in.start(r -> {
            got.add(r);
            return Admission.ACCEPTED;
        });
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (got.isEmpty()) {
            assertThat(System.nanoTime()).as("waiting for the line").isLessThan(deadline);
            Thread.sleep(10);
        }
        in.stop();
        assertThat(got).extracting(LogRecord::messageText).containsExactly("hello");
        assertThat(Files.readString(c.checkpointFile(data))).contains("\"offset\":" + Files.size(log));
    }
}
