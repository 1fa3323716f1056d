package io.spillway.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.buffer.FairBufferConfig.Fsync;
import io.spillway.buffer.FairBufferConfig.Shed;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import io.spillway.space.SpaceAccountant;
import io.spillway.space.SpaceConfig;
import io.spillway.space.SpaceFloor;
import io.spillway.space.SpaceWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The buffers of several outputs on one filesystem share the space accountant's ledger (issue 12:
 * each buffer used to ask statvfs on its own, so together they went past the floor).
 */
class FairBufferSpaceTest {
    private static final long MiB = 1024 * 1024;

    @TempDir
    java.nio.file.Path dir;

    @Test
    void offer_twoBuffersOnOneFilesystem_togetherStopAtTheFloor() throws Exception {
        long floor = 4 * MiB;
        long room = MiB;
        // Free space as statvfs would report it: it never changes here, so only the ledger keeps the floor.
        FakeDiskSpace disk = new FakeDiskSpace(floor + room, 64 * MiB);
        InstantSource frozen = InstantSource.fixed(Instant.ofEpochSecond(1_000_000));
        SpaceAccountant accountant = new SpaceAccountant(
                new SpaceConfig(Duration.ofSeconds(10), SpaceFloor.DEFAULT, Duration.ofMinutes(1)),
                d -> disk,
                new Metrics(),
                frozen);
        FairBufferConfig c = new FairBufferConfig(
                DataSize.ofKiB(64),
                DataSize.ofMiB(64),
                SpaceFloor.ofBytes(floor),
                Shed.NEWEST,
                DataSize.ofKiB(4),
                Fsync.NEVER,
                Duration.ofSeconds(1),
                DataSize.ofKiB(256),
                100);
        List<String> drops = new ArrayList<>();
        List<FairBuffer> buffers = new ArrayList<>();
        for (String name : List.of("file", "store")) {
            SpaceWriter w = accountant.register("buffer", name, dir.resolve(name), c.floor(), "buffer.floor", false);
            buffers.add(new FairBuffer(
                    name, c, dir.resolve(name), (app, reason, n, b) -> drops.add(reason), new Metrics(), w));
        }
        byte[] kb = new byte[1024];
        Arrays.fill(kb, (byte) 'x');
        for (int i = 0; i < 4000; i++) {
            for (FairBuffer b : buffers) {
                b.offer(LogRecord.of(i, "h", "app-" + (i % 3), "").withMessage(kb));
            }
        }
        long onDisk = buffers.get(0).diskBytes() + buffers.get(1).diskBytes();
        assertThat(onDisk)
                .as("both buffers together within the room above the floor")
                .isLessThanOrEqualTo(room);
        assertThat(onDisk).as("and they used most of it").isGreaterThan(room / 2);
        assertThat(buffers.get(0).diskBytes()).isPositive();
        assertThat(buffers.get(1).diskBytes()).isPositive();
        assertThat(drops).contains("floor");
        assertThat(accountant.problems()).isEmpty();
        buffers.forEach(FairBuffer::close);
    }
}
