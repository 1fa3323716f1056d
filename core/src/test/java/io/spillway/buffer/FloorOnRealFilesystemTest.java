package io.spillway.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.spillway.config.ConfigBinder;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G4 on a real, small filesystem: a 16 MiB tmpfs mounted by the test (skipped with a message where
 * mounting is not permitted). The buffer spills until the filesystem's free space reaches the floor,
 * refuses (and counts) what it cannot place, and spills again once space returns.
 */
class FloorOnRealFilesystemTest {
    private static final long MiB = 1024 * 1024;

    @TempDir
    Path tmp;

    private Path mount;
    private boolean mounted;

    @BeforeEach
    void mountTmpfs() throws Exception {
        mount = tmp.resolve("small-fs");
        Files.createDirectories(mount);
        int exit = run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount.toString());
        mounted = exit == 0;
        assumeTrue(mounted, "cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN); floor test skipped");
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            run("umount", mount.toString());
        }
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    @Test
    void spill_reachesFloor_stopsWritingCountsAndResumesWhenSpaceReturns() throws Exception {
        FileStore store = Files.getFileStore(mount);
        Path filler = mount.resolve("filler");
        Files.write(filler, new byte[(int) (6 * MiB)]);
        long floor = 8 * MiB;
        FairBufferConfig config = ConfigBinder.bind(
                FairBufferConfig.class,
                ConfigBinder.readYaml(
                        "memory: 64KiB\ndisk: 64MiB\nsegment_size: 1MiB\nfloor: 8MiB\nfsync: never\n", "test"));
        List<String> drops = new ArrayList<>();
        FairBuffer buffer = new FairBuffer(
                "file", config, mount.resolve("buffer"), (app, reason, n, b) -> drops.add(reason), new Metrics());
        byte[] kb = new byte[1024];
        java.util.Arrays.fill(kb, (byte) 'x');
        long minFree = Long.MAX_VALUE;
        for (int i = 0; i < 8000; i++) {
            buffer.offer(LogRecord.of(i, "h", "app-" + (i % 4), "").withMessage(kb));
            minFree = Math.min(minFree, store.getUsableSpace());
        }
        // Never written below the floor, not even by one batch: each write reserves its bytes first.
        assertThat(minFree).isGreaterThanOrEqualTo(floor);
        assertThat(drops).contains("floor");
        long diskAtFloor = buffer.diskBytes();
        assertThat(diskAtFloor).isPositive();

        Files.delete(filler);
        int floorDropsBefore = (int) drops.stream().filter("floor"::equals).count();
        for (int i = 0; i < 2000; i++) {
            buffer.offer(LogRecord.of(i, "h", "app-" + (i % 4), "").withMessage(kb));
        }
        assertThat(buffer.diskBytes())
                .as("spilling resumed once space returned")
                .isGreaterThan(diskAtFloor);
        assertThat(drops.stream().filter("floor"::equals).count()).isEqualTo(floorDropsBefore);
        buffer.close();
    }
}
