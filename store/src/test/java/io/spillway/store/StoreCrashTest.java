package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.FakeClock;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real crash: a child JVM appends and syncs, the test kills it with SIGKILL ({@code
 * destroyForcibly}) in mid-write, reopens the store and checks that every record the child reported
 * synced is there, in order, with nothing corrupt. Repeated, so later rounds recover a store that was
 * itself recovered.
 */
class StoreCrashTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void kill9_midWrite_everySyncedRecordSurvives() throws Exception {
        long next = 0;
        for (int round = 0; round < 3; round++) {
            long synced = runAndKill(next, 3000 + round * 2000L);
            try (LogStore s = LogStore.open(dir, Stores.small(), new Metrics(), FakeClock.ofEpochMilli(Stores.T0))) {
                List<LogRecord> all = Stores.all(s, "crash");
                assertThat(all.size()).isGreaterThanOrEqualTo((int) synced);
                for (int i = 0; i < all.size(); i++) {
                    LogRecord r = all.get(i);
                    assertThat(r.timestamp()).isEqualTo(i);
                    assertThat(r.messageText()).isEqualTo("record " + i + " " + "q".repeat(i % 400));
                }
                next = all.size();
            }
        }
    }

    /** Starts the child, waits until it synced at least {@code atLeast} records, kills it; returns synced count. */
    private long runAndKill(long start, long atLeast) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        StoreCrashChild.class.getName(),
                        dir.toString(),
                        Long.toString(start))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        long synced = start;
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("synced ")) {
                    synced = Long.parseLong(line.substring(7));
                    if (synced >= start + atLeast) {
                        p.destroyForcibly(); // SIGKILL while the child keeps appending
                        break;
                    }
                }
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(synced).as("child made progress").isGreaterThan(start);
        return synced;
    }
}
