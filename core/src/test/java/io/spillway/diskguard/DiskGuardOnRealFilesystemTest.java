package io.spillway.diskguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.spillway.config.ConfigBinder;
import io.spillway.event.Event;
import io.spillway.metrics.Metrics;
import io.spillway.space.DiskSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk guard on a real, small filesystem (a 32 MiB tmpfs mounted by the test; skipped with a
 * message where mounting is not permitted) filled by a real writer process laid out like a Docker
 * container's json-file log: the watermarks fire in order and name the writer, and {@code reclaim:
 * truncate} gives the space back.
 */
class DiskGuardOnRealFilesystemTest {
    @TempDir
    Path tmp;

    private Path mount;
    private boolean mounted;
    private Process writer;

    @BeforeEach
    void mountTmpfs() throws Exception {
        mount = Files.createDirectories(tmp.resolve("docker"));
        mounted = run("mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", mount.toString()) == 0;
        assumeTrue(
                mounted, "cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN); disk guard filesystem test skipped");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (writer != null) {
            writer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
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
    void writerFillingTheDisk_firesWarnCriticalEmergencyNamingIt_andTruncateFreesSpace() throws Exception {
        Path containers = Files.createDirectories(mount.resolve("containers"));
        Path dir = Files.createDirectories(containers.resolve("c0ffee"));
        Path log = dir.resolve("c0ffee-json.log");
        Files.createFile(log);
        Path quietDir = Files.createDirectories(containers.resolve("beef"));
        Path quietLog = Files.write(quietDir.resolve("beef-json.log"), new byte[64 * 1024]);

        DiskGuardConfig config = ConfigBinder.bind(
                DiskGuardConfig.class,
                ConfigBinder.readYaml(
                        "docker_containers: " + containers + "\npods: " + tmp.resolve("no-pods")
                                + "\nreclaim: truncate\n",
                        "disk_guard"));
        List<Event> events = new CopyOnWriteArrayList<>();
        DiskGuard guard = new DiskGuard(
                config,
                List.of(mount),
                "node-7",
                f -> f.getParent().getFileName().toString().equals("c0ffee") ? "sensors-api" : "billing",
                DiskSpace::of,
                events::add,
                new Metrics(),
                InstantSource.system());

        // About 3 MB/s in small appends, so each tick sees the filesystem move less than a level.
        writer = new ProcessBuilder(
                        "sh",
                        "-c",
                        "while :; do head -c 65536 /dev/zero >> '" + log + "' || sleep 0.02; sleep 0.02; done")
                .redirectErrorStream(true)
                .start();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (events.stream().noneMatch(e -> e.kind().equals(DiskGuard.RECLAIM_KIND))
                && System.nanoTime() < deadline) {
            guard.tick();
            Thread.sleep(25);
        }
        writer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

        List<String> levels = events.stream()
                .filter(e -> e.kind().equals(DiskGuard.KIND) && e.state() == Event.State.FIRING)
                .map(e -> e.details().get("level"))
                .toList();
        assertThat(levels).startsWith("warn", "critical", "emergency");
        assertThat(events.stream().filter(e -> e.kind().equals(DiskGuard.KIND)).toList())
                .allSatisfy(e -> assertThat(e.details().get("top_writer_app")).isEqualTo("sensors-api"));

        Event reclaim = events.stream()
                .filter(e -> e.kind().equals(DiskGuard.RECLAIM_KIND))
                .findFirst()
                .orElseThrow();
        assertThat(reclaim.app()).isEqualTo("sensors-api");
        assertThat(Long.parseLong(reclaim.details().get("removed_bytes"))).isGreaterThan(20L << 20);
        assertThat(Files.size(quietLog)).isEqualTo(64 * 1024);

        // The space came back: a few more ticks step the level down again.
        for (int i = 0; i < 5; i++) {
            guard.tick();
        }
        assertThat(guard.status().getFirst().level()).isIn(Level.OK, Level.WARN);
        assertThat(guard.status().getFirst().usedPercent()).isLessThan(80);
    }
}
