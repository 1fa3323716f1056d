package io.spillway.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import io.spillway.Theories;
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
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * G2 as a property: whatever the budgets, shedding policy and record sizes, quiet apps holding less
 * than an even split of the buffer lose nothing to a heavy app flooding past both budgets, and the
 * disk cap holds.
 */
class FairBufferFairnessTest {

    /** One flood: the budgets, the policy, how many quiet apps, and the seed of the record sizes and polls. */
    record Flood(
            int memoryKiB,
            int diskKiB,
            Shed shed,
            int quietApps,
            int heavyRecords,
            boolean slowOutput,
            boolean floorBlocked,
            long seed) {}

    static Gen<Flood> floods() {
        Gen<Integer> memoryKiB = integers().between(8, 64);
        Gen<Integer> diskKiB = integers().between(0, 64);
        Gen<Shed> shed = Generate.enumValues(Shed.class);
        Gen<Integer> quietApps = integers().between(1, 4);
        Gen<Integer> heavyRecords = integers().between(500, 3000);
        Gen<Boolean> slowOutput = booleans().all();
        Gen<Boolean> floorBlocked = booleans().all();
        Gen<Long> seed = longs().all();
        return in -> new Flood(
                memoryKiB.generate(in),
                diskKiB.generate(in),
                shed.generate(in),
                quietApps.generate(in),
                heavyRecords.generate(in),
                slowOutput.generate(in),
                floorBlocked.generate(in),
                seed.generate(in));
    }

    @Test
    void offer_heavyFlood_quietAppsWithinShareLoseNothing() {
        Theories.qt(80).forAll(floods()).checkAssert(f -> {
            try {
                flood(f);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void flood(Flood f) throws Exception {
        int memoryKiB = f.memoryKiB();
        int diskKiB = f.diskKiB();
        Shed shed = f.shed();
        int quietApps = f.quietApps();
        int heavyRecords = f.heavyRecords();
        boolean slowOutput = f.slowOutput();
        boolean floorBlocked = f.floorBlocked();
        long seed = f.seed();
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
