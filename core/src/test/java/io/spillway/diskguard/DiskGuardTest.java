package io.spillway.diskguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.FakeClock;
import io.spillway.config.ConfigBinder;
import io.spillway.event.Event;
import io.spillway.event.EventSeverity;
import io.spillway.metrics.Metrics;
import io.spillway.space.DiskSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskGuardTest {
    private static final long MiB = 1 << 20;
    private static final long TOTAL = 1000 * MiB;

    @TempDir
    Path root;

    private final List<Event> events = new ArrayList<>();
    private final FakeDisk disk = new FakeDisk();
    private final FakeClock clock = FakeClock.at("2026-11-25T03:00:00Z");
    private Path containers;

    static final class FakeDisk implements DiskSpace {
        long free = TOTAL;

        @Override
        public long usableBytes() {
            return free;
        }

        @Override
        public long totalBytes() {
            return TOTAL;
        }

        void usedPercent(double p) {
            free = (long) (TOTAL * (100 - p) / 100);
        }
    }

    @BeforeEach
    void layout() throws Exception {
        containers = Files.createDirectories(root.resolve("docker/containers"));
    }

    private DiskGuard guard(String yaml) throws Exception {
        DiskGuardConfig config = ConfigBinder.bind(
                DiskGuardConfig.class,
                ConfigBinder.readYaml(
                        "docker_containers: " + containers + "\npods: " + root.resolve("pods") + "\n" + yaml, "test"));
        return new DiskGuard(
                config,
                List.of(root),
                "node-7",
                file -> file.getParent().getFileName().toString().replace("id-", ""),
                p -> disk,
                events::add,
                new Metrics(),
                clock);
    }

    private Path container(String app) throws IOException {
        Path dir = Files.createDirectories(containers.resolve("id-" + app));
        Path log = dir.resolve("id-" + app + "-json.log");
        Files.write(log, new byte[0]);
        return log;
    }

    private static void grow(Path file, long bytes) throws IOException {
        Files.write(file, new byte[(int) bytes], StandardOpenOption.APPEND);
    }

    private void advance(Duration d) {
        clock.advance(d);
    }

    private List<String> levels() {
        return events.stream()
                .filter(e -> e.kind().equals(DiskGuard.KIND))
                .map(e -> e.state() == Event.State.CLEARED
                        ? "cleared"
                        : e.details().get("level"))
                .toList();
    }

    @Test
    void rising_use_firesWarnCriticalEmergencyInOrderWithSeverity() throws Exception {
        DiskGuard g = guard("");
        for (double p : new double[] {50, 81, 85, 91, 96}) {
            disk.usedPercent(p);
            g.tick();
            advance(Duration.ofSeconds(5));
        }
        assertThat(levels()).containsExactly("warn", "critical", "emergency");
        assertThat(events)
                .extracting(Event::severity)
                .containsExactly(EventSeverity.WARNING, EventSeverity.CRITICAL, EventSeverity.CRITICAL);
        assertThat(events).allSatisfy(e -> {
            assertThat(e.host()).isEqualTo("node-7");
            assertThat(e.subject()).isEqualTo(root.toString());
            assertThat(e.key()).isEqualTo("disk_watermark/node-7/" + root);
        });
    }

    @Test
    void falling_use_clearsOnlyPastTheMarginThenClears() throws Exception {
        DiskGuard g = guard("");
        disk.usedPercent(91);
        g.tick();
        disk.usedPercent(89.5); // below critical but within the 2-point margin: stays critical
        g.tick();
        assertThat(g.status().getFirst().level()).isEqualTo(Level.CRITICAL);
        disk.usedPercent(85); // clearly below critical, still above warn
        g.tick();
        assertThat(g.status().getFirst().level()).isEqualTo(Level.WARN);
        disk.usedPercent(40);
        g.tick();
        assertThat(levels()).containsExactly("critical", "warn", "cleared");
        Event cleared = events.getLast();
        assertThat(cleared.state()).isEqualTo(Event.State.CLEARED);
        assertThat(cleared.summary()).contains("back to");
    }

    @Test
    void fastestGrowingLog_isNamedAsTopWriterWithItsRate() throws Exception {
        Path noisy = container("sensors-api");
        Path quiet = container("billing");
        DiskGuard g = guard("");
        disk.usedPercent(50);
        g.tick();
        grow(noisy, 6 * MiB);
        grow(quiet, 1000);
        advance(Duration.ofSeconds(6)); // 1 MiB/s = 60 MiB/min
        disk.usedPercent(92);
        g.tick();
        Event e = events.getLast();
        assertThat(e.details().get("top_writer_app")).isEqualTo("sensors-api");
        assertThat(e.details().get("top_writer"))
                .isEqualTo("app sensors-api writes 62.9 MB/min to " + root + " on node-7");
        assertThat(e.summary()).contains("top writer: app sensors-api");
        assertThat(g.status().getFirst().topWriters())
                .extracting(Writer::app)
                .containsExactly("sensors-api", "billing");
    }

    @Test
    void rotatedFile_countsItsNewContentAsGrowth() throws Exception {
        Path log = container("web");
        grow(log, 10 * MiB);
        DiskGuard g = guard("");
        g.tick();
        Files.write(log, new byte[(int) MiB]); // replaced by a smaller file (copytruncate + new writes)
        advance(Duration.ofSeconds(1));
        g.tick();
        assertThat(g.status().getFirst().topWriters().getFirst().bytesPerSecond())
                .isEqualTo((double) MiB);
    }

    @Test
    void emergency_withReclaimTruncate_truncatesTheTopWriterAndRecordsIt() throws Exception {
        Path noisy = container("sensors-api");
        Path quiet = container("billing");
        grow(quiet, 3 * MiB);
        DiskGuard g = guard("reclaim: truncate\n");
        disk.usedPercent(50);
        g.tick();
        grow(noisy, 8 * MiB);
        advance(Duration.ofSeconds(5));
        disk.usedPercent(97);
        g.tick();
        assertThat(Files.size(noisy)).isZero();
        assertThat(Files.size(quiet)).isEqualTo(3 * MiB);
        Event reclaim = events.stream()
                .filter(e -> e.kind().equals(DiskGuard.RECLAIM_KIND))
                .findFirst()
                .orElseThrow();
        assertThat(reclaim.app()).isEqualTo("sensors-api");
        assertThat(reclaim.details()).containsEntry("removed_bytes", Long.toString(8 * MiB));
        assertThat(reclaim.summary()).contains("removed 8.4 MB");
        assertThat(g.status().getFirst().reclaimedBytes()).isEqualTo(8 * MiB);
        assertThat(events.getLast().details()).containsEntry("reclaimed_bytes", Long.toString(8 * MiB));
    }

    @Test
    void emergency_withoutReclaim_touchesNothing() throws Exception {
        Path noisy = container("sensors-api");
        DiskGuard g = guard("");
        g.tick();
        grow(noisy, 2 * MiB);
        advance(Duration.ofSeconds(1));
        disk.usedPercent(99);
        g.tick();
        assertThat(Files.size(noisy)).isEqualTo(2 * MiB);
        assertThat(events).noneMatch(e -> e.kind().equals(DiskGuard.RECLAIM_KIND));
    }

    @Test
    void criLogs_areMeasuredToo() throws Exception {
        Path dir = Files.createDirectories(root.resolve("pods/default_api-7d9_uid/api"));
        Path log = Files.write(dir.resolve("0.log"), new byte[0]);
        DiskGuardConfig config = ConfigBinder.bind(
                DiskGuardConfig.class,
                ConfigBinder.readYaml("docker_containers: " + containers + "\npods: " + root.resolve("pods"), "t"));
        DiskGuard g =
                new DiskGuard(config, List.of(root), "n", f -> "api", p -> disk, events::add, new Metrics(), clock);
        g.tick();
        grow(log, MiB);
        advance(Duration.ofSeconds(1));
        g.tick();
        assertThat(g.status().getFirst().topWriters()).extracting(Writer::file).containsExactly(log);
    }

    @Test
    void moreLogFilesThanMaxFiles_measuresOnlyTheBound() throws Exception {
        for (int i = 0; i < 12; i++) {
            container("app" + i);
        }
        DiskGuard g = guard("max_files: 5\ntop_writers: 20\n");
        g.tick();
        assertThat(g.status().getFirst().topWriters()).hasSize(5);
    }

    @Test
    void config_criticalLessSevereThanWarn_isRefusedNamingTheKey() {
        assertThatThrownBy(() -> ConfigBinder.bind(
                        DiskGuardConfig.class, ConfigBinder.readYaml("warn: 90%\ncritical: 80%\n", "disk_guard")))
                .hasMessageContaining("critical")
                .hasMessageContaining("warn");
        assertThatThrownBy(() -> ConfigBinder.bind(
                        DiskGuardConfig.class, ConfigBinder.readYaml("emergency: plenty\n", "disk_guard")))
                .hasMessageContaining("emergency")
                .hasMessageContaining("90%");
    }
}
