package io.spillway.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.buffer.FairBufferConfig.Fsync;
import io.spillway.buffer.FairBufferConfig.Shed;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import io.spillway.space.SpaceFloor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * G2 as a property: whatever the budgets, shedding policy and record sizes, quiet apps holding less
 * than an even split of the buffer lose nothing to a heavy app flooding past both budgets, and the
 * disk cap holds.
 */
class FairBufferFairnessTest {

    @Property(tries = 80)
    void offer_heavyFlood_quietAppsWithinShareLoseNothing(
            @ForAll @IntRange(min = 8, max = 64) int memoryKiB,
            @ForAll @IntRange(min = 0, max = 64) int diskKiB,
            @ForAll Shed shed,
            @ForAll @IntRange(min = 1, max = 4) int quietApps,
            @ForAll @IntRange(min = 500, max = 3000) int heavyRecords,
            @ForAll boolean slowOutput,
            @ForAll boolean floorBlocked,
            @ForAll long seed)
            throws Exception {
        long memory = memoryKiB * 1024L;
        long disk = diskKiB < 16 ? 0 : diskKiB * 1024L;
        Path dir = Files.createTempDirectory("fair-buffer-fairness");
        RecordingDrops drops = new RecordingDrops();
        FairBufferConfig config = new FairBufferConfig(
                DataSize.ofBytes(memory),
                DataSize.ofBytes(disk),
                SpaceFloor.ofBytes(0),
                shed,
                DataSize.ofKiB(4),
                Fsync.NEVER,
                Duration.ofSeconds(1),
                DataSize.ofKiB(4),
                10_000);
        FakeDiskSpace space = new FakeDiskSpace(floorBlocked ? 0 : 1L << 40, 1L << 41);
        FairBuffer buffer = new FairBuffer("fair", config, dir, drops, new Metrics(), space);
        Random random = new Random(seed);
        // Each quiet app may hold at most an even split of half the usable space: within its share.
        long usable = floorBlocked ? memory : memory + disk;
        long quietBudget = usable / (2L * (quietApps + 1));
        long[] quietHeld = new long[quietApps];
        try {
            for (int i = 0; i < heavyRecords; i++) {
                buffer.offer(LogRecord.of(i, "h", "heavy", "x".repeat(random.nextInt(700))));
                int q = random.nextInt(quietApps * 8);
                if (q < quietApps) {
                    LogRecord r = LogRecord.of(i, "h", "quiet-" + q, "y".repeat(random.nextInt(300)));
                    if (quietHeld[q] + r.sizeBytes() <= quietBudget) {
                        assertThat(buffer.offer(r).accepted()).isTrue();
                        quietHeld[q] += r.sizeBytes();
                    }
                }
                if (slowOutput && random.nextInt(20) == 0) {
                    Batch b = buffer.poll(1 + random.nextInt(20), 1 << 20, Duration.ZERO);
                    if (b != null) {
                        for (LogRecord r : b.records()) {
                            if (r.app().startsWith("quiet-")) {
                                quietHeld[Integer.parseInt(r.app().substring(6))] -= r.sizeBytes();
                            }
                        }
                        if (random.nextInt(4) == 0) {
                            buffer.release(b);
                            buffer.commit(buffer.poll(1, 1, Duration.ZERO));
                        } else {
                            buffer.commit(b);
                        }
                    }
                }
                assertThat(buffer.diskBytes()).isLessThanOrEqualTo(disk);
                assertThat(buffer.memoryBytes()).isLessThanOrEqualTo(memory);
            }
            for (int q = 0; q < quietApps; q++) {
                assertThat(drops.recordsOf("quiet-" + q))
                        .as("quiet-%s lost records", q)
                        .isZero();
            }
        } finally {
            buffer.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
            }
        }
    }
}
