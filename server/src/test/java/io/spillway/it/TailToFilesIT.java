package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Docker json-file log on disk, with its config.v2.json, arrives under the container's name. */
class TailToFilesIT {
    @TempDir
    Path dir;

    @Test
    void dockerJsonFile_linesArriveUnderContainerName() throws Exception {
        String id = "c0ffee" + "0".repeat(58);
        Path container = dir.resolve("containers").resolve(id);
        Files.createDirectories(container);
        Files.writeString(
                container.resolve("config.v2.json"), "{\"Name\":\"/sensors-api\",\"Config\":{\"Labels\":{}}}");
        Files.writeString(
                container.resolve(id + "-json.log"),
                "{\"log\":\"tailed line one\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-25T10:00:00.000000001Z\"}\n"
                        + "{\"log\":\"tailed line two\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-25T10:00:01Z\"}\n");
        try (SpillwayProcess spillway = SpillwayProcess.start(
                dir,
                "--set",
                "inputs.tail.enabled=true",
                "--set",
                "inputs.tail.docker_root=" + dir.resolve("containers"),
                "--set",
                "inputs.tail.cri_root=",
                "--set",
                "inputs.tail.scan_interval=100ms")) {
            Path file = spillway.appFile("sensors-api");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!(Files.exists(file) && Files.readString(file).contains("tailed line two"))) {
                assertThat(System.nanoTime()).as(spillway.output()).isLessThan(deadline);
                Thread.sleep(50);
            }
            assertThat(Files.readString(file)).contains("tailed line one").contains("[stderr]");
        }
    }
}
