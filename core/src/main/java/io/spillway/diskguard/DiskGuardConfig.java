package io.spillway.diskguard;

import io.spillway.config.Check;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The disk guard ({@code disk_guard}).
 *
 * <ul>
 *   <li>{@code enabled} (default {@code true}): watch filesystems and raise events.
 *   <li>{@code interval} (default {@code 5s}, at least {@code 100ms}): how often filesystems and log
 *       files are measured; growth rates are averaged over one interval.
 *   <li>{@code paths} (default empty = Docker's root {@code /var/lib/docker} when it exists, and
 *       Spillway's {@code data_dir}): the filesystems to watch, each named by a directory on it.
 *   <li>{@code warn}, {@code critical}, {@code emergency} (defaults {@code 80%}, {@code 90%},
 *       {@code 95%}): the watermarks, each a share in use ({@code 90%}) or a free size below which it
 *       is crossed ({@code 5GiB}). Each must be at least as severe as the one before.
 *   <li>{@code clear_margin} (default {@code 2}, percentage points): a level clears only once use is
 *       this far below its watermark, so a filesystem on the line does not flap.
 *   <li>{@code docker_containers} (default {@code /var/lib/docker/containers}): where Docker's
 *       json-file logs ({@code <id>/<id>-json.log*}) are measured.
 *   <li>{@code pods} (default {@code /var/log/pods}): where CRI logs ({@code **}{@code /*.log*}) are
 *       measured.
 *   <li>{@code max_files} (default {@code 10000}): at most this many log files are measured per scan;
 *       more are skipped and counted.
 *   <li>{@code top_writers} (default {@code 3}): how many of the fastest-growing log files an event
 *       names.
 *   <li>{@code reclaim} (default {@code off}): {@code truncate} truncates the top writer's log file
 *       at the emergency watermark, at most once per interval, and records how many bytes it removed.
 *       It deletes log lines that were never shipped; turn it on only where keeping the host alive
 *       matters more.
 * </ul>
 */
public record DiskGuardConfig(
        boolean enabled,
        Duration interval,
        List<Path> paths,
        Watermark warn,
        Watermark critical,
        Watermark emergency,
        double clearMargin,
        Path dockerContainers,
        Path pods,
        int maxFiles,
        int topWriters,
        Reclaim reclaim) {

    public DiskGuardConfig {
        paths = List.copyOf(paths);
        Check.require(interval.compareTo(Duration.ofMillis(100)) >= 0, "interval", "must be at least 100ms");
        Check.require(clearMargin >= 0 && clearMargin < 50, "clear_margin", "must be in [0, 50)");
        Check.atLeast(maxFiles, 1, "max_files");
        Check.atLeast(topWriters, 1, "top_writers");
        Check.require(!lessSevere(critical, warn), "critical", "must be at least as severe as warn (" + warn + ")");
        Check.require(
                !lessSevere(emergency, critical),
                "emergency",
                "must be at least as severe as critical (" + critical + ")");
    }

    public static DiskGuardConfig defaults() {
        return new DiskGuardConfig(
                true,
                Duration.ofSeconds(5),
                List.of(),
                Watermark.percent(80),
                Watermark.percent(90),
                Watermark.percent(95),
                2,
                Path.of("/var/lib/docker/containers"),
                Path.of("/var/log/pods"),
                10_000,
                3,
                Reclaim.OFF);
    }

    /** True if {@code a} is crossed later than {@code b} (only comparable when of the same form). */
    private static boolean lessSevere(Watermark a, Watermark b) {
        if (a.usedPercent() > 0 && b.usedPercent() > 0) {
            return a.usedPercent() < b.usedPercent();
        }
        if (a.freeBytes() > 0 && b.freeBytes() > 0) {
            return a.freeBytes() > b.freeBytes();
        }
        return false;
    }
}
