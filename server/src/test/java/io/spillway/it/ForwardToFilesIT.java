package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.komamitsu.fluency.Fluency;
import org.komamitsu.fluency.fluentd.FluencyBuilderForFluentd;

/**
 * The fluent forward input end to end: Spillway as a real process, Fluency (a real forward client)
 * sending with acknowledgements, records in the per-app files under the app the record names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardToFilesIT {
    SpillwayProcess spillway;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        spillway = SpillwayProcess.start(dir);
    }

    @AfterAll
    void stop() throws Exception {
        if (spillway != null) {
            spillway.close();
        }
    }

    private List<String> awaitLines(String app, int count) throws Exception {
        Path file = spillway.appFile(app);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                lines = Files.readAllLines(file);
                if (lines.size() >= count) {
                    return lines;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("only " + lines.size() + " of " + count + " lines in " + file + "; spillway said:\n"
                + spillway.output());
    }

    @Test
    void fluencyWithAcks_dockerShapedRecords_linesInTheContainersAppFile() throws Exception {
        FluencyBuilderForFluentd b = new FluencyBuilderForFluentd();
        b.setAckResponseMode(true);
        b.setFlushAttemptIntervalMillis(100);
        b.setWaitUntilBufferFlushed(30);
        Fluency fluency = b.build("127.0.0.1", spillway.forwardPort);
        for (int i = 0; i < 1000; i++) {
            Map<String, Object> record = new HashMap<>();
            record.put("container_id", "4f2c8a1b9d3e");
            record.put("container_name", "/checkout-web");
            record.put("source", i % 2 == 0 ? "stdout" : "stderr");
            record.put("log", "request " + i + "\n");
            fluency.emit("docker.4f2c8a1b9d3e", record);
        }
        fluency.flush();
        assertThat(fluency.waitUntilAllBufferFlushed(30))
                .as("every chunk acknowledged")
                .isTrue();
        fluency.close();
        List<String> lines = awaitLines("checkout-web", 1000);
        assertThat(String.join("\n", lines)).contains("request 0", "request 999");
        assertThat(spillway.metric("spillway_input_received_records_total{input=\"forward\"}"))
                .isEqualTo(1000);
        assertThat(spillway.isAlive()).isTrue();
    }

    @Test
    void metrics_nameEveryComponentAndWhereItListens() throws Exception {
        String port = Integer.toString(spillway.forwardPort);
        assertThat(spillway.metric("spillway_component_info{name=\"forward\",section=\"inputs\",where=\"tcp 127.0.0.1:"
                        + port + "  udp 127.0.0.1:" + port + "\"}"))
                .isEqualTo(1);
        assertThat(spillway.metrics())
                .contains("spillway_component_info{name=\"store\",section=\"outputs\",where=\"")
                .contains("spillway_component_info{name=\"file\",section=\"outputs\",where=\"");
    }

    @Test
    void fluencyWithoutContainerName_appIsTheTag() throws Exception {
        Fluency fluency = new FluencyBuilderForFluentd().build("127.0.0.1", spillway.forwardPort);
        Map<String, Object> record = new HashMap<>();
        record.put("message", "from a plain fluent client");
        fluency.emit("billing.batch", record);
        fluency.close();
        assertThat(String.join("\n", awaitLines("billing.batch", 1))).contains("from a plain fluent client");
    }
}
