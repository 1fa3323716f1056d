package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real process watches its data dir's filesystem: with a warn watermark every real disk is past,
 * the event appears as a line of app {@code _spillway} and in {@code /metrics}.
 */
class DiskGuardIT {
    @TempDir
    Path dir;

    @Test
    void dataDirPastWarn_eventIsALineInSpillwayStreamAndAMetric() throws Exception {
        try (SpillwayProcess spillway =
                SpillwayProcess.start(dir, "--set", "disk_guard.warn=0.001%", "--set", "disk_guard.interval=200ms")) {
            Path events = spillway.appFile("_spillway");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!(Files.exists(events) && Files.readString(events).contains("[disk_watermark firing warning]"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(events)).as(spillway.output()).contains("[disk_watermark firing warning]");
            String path = spillway.dataDir.toAbsolutePath().normalize().toString();
            assertThat(spillway.metric("spillway_disk_level{path=\"" + path + "\"}"))
                    .isEqualTo(1.0);
            assertThat(spillway.output()).contains("disk     [" + path);
        }
    }
}
