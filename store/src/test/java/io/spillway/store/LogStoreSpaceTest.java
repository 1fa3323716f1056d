package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.FakeClock;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import io.spillway.space.DiskSpace;
import io.spillway.space.SpaceAccountant;
import io.spillway.space.SpaceFloor;
import io.spillway.space.SpaceWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sealed chunks reserve their bytes before they are written (G4); a refused seal waits, readable. */
class LogStoreSpaceTest {
    private static final long MiB = 1024 * 1024;

    @TempDir
    Path dir;

    /** A filesystem whose free space the test sets. */
    static final class Disk implements DiskSpace {
        volatile long usable;

        Disk(long usable) {
            this.usable = usable;
        }

        @Override
        public long usableBytes() {
            return usable;
        }

        @Override
        public long totalBytes() {
            return 1024 * MiB;
        }
    }

    @Test
    void seal_belowTheFloor_refusedAndRetried_recordsStayReadable() throws Exception {
        Disk disk = new Disk(512 * MiB);
        SpaceWriter space = SpaceAccountant.standalone(
                "store", dir, SpaceFloor.ofBytes(100 * MiB), StoreOutput.MIN_FREE_SPACE_KEY, disk);
        List<LogRecord> in = Stores.records("api", 2000, Stores.T0 * 1_000_000L, 200);
        FakeClock clock = FakeClock.ofEpochMilli(Stores.T0);
        try (LogStore s = LogStore.open(dir, Stores.small(), new Metrics(), clock, space)) {
            disk.usable = 100 * MiB + 4096; // the floor, give or take a block: no chunk can be sealed
            s.append(in);
            s.awaitSeals();
            AppLog a = LogStoreTest.appLog(s, "api");
            assertThat(a.sealed).as("no sealed chunk was written").isEmpty();
            assertThat(space.refusedWrites()).isPositive();
            assertThat(Stores.all(s, "api"))
                    .as("the rotated chunks stay readable")
                    .isEqualTo(in);

            disk.usable = 512 * MiB;
            clock.advance(Duration.ofMinutes(1)); // maintenance (which retries failed seals) is due
            s.maintain();
            s.awaitSeals();
            assertThat(a.sealed).as("sealed once space returned").isNotEmpty();
            assertThat(Stores.all(s, "api")).isEqualTo(in);
        }
    }
}
