package io.spillway.diskguard;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.spillway.config.DataSize;
import io.spillway.event.Event;
import io.spillway.event.Events;
import io.spillway.metrics.Metrics;
import io.spillway.space.DiskSpace;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches filesystems at three watermarks and names the container log files that fill them.
 *
 * <p>Each {@link #tick()} measures every watched filesystem and every container log file it can see,
 * computes each file's growth since the previous tick, and moves each filesystem's {@link Level}:
 * up at once when a watermark is crossed, down only once use is {@code clear_margin} below the
 * watermark (so a filesystem on the line does not flap). Every level change publishes one {@code
 * disk_watermark} event (kind {@code disk_watermark}, subject the watched path), FIRING with the new
 * level's severity, or CLEARED back at OK; its details name the top writers on that filesystem.
 *
 * <p>At the emergency level with {@code reclaim: truncate}, the fastest-growing log file on that
 * filesystem (the largest if no growth is known yet) is truncated to zero, once per tick, and a
 * {@code disk_reclaimed} event records the file and the bytes removed. Only container runtime log
 * files found by the scan are ever truncated.
 *
 * <p>Thread-safety: {@code tick} and {@code status} are synchronized; the node calls {@code tick}
 * from one scheduler thread every {@code interval}. Time comes from an injected clock so tests drive
 * growth rates without sleeping.
 */
public final class DiskGuard {
    private static final Logger log = LoggerFactory.getLogger(DiskGuard.class);
    static final String KIND = "disk_watermark";
    static final String RECLAIM_KIND = "disk_reclaimed";

    private final DiskGuardConfig config;
    private final String host;
    private final Function<Path, String> appOf;
    private final Events events;
    private final InstantSource clock;
    private final LogFiles logFiles;
    private final List<Watched> watched = new ArrayList<>();
    private final Map<Path, String> apps = new HashMap<>();
    private final Map<Path, @Nullable FileStore> storeOfDir = new HashMap<>();
    private final Gauge usedRatio;
    private final Gauge levelGauge;
    private final Counter reclaimed;
    private final Gauge filesSkipped;

    private Map<Path, Long> lastSizes = Map.of();
    private @Nullable Instant lastScan;

    private static final class Watched {
        final Path path;
        final DiskSpace space;

        Level level = Level.OK;
        FilesystemStatus status;
        long reclaimedBytes;

        Watched(Path path, DiskSpace space) {
            this.path = path;
            this.space = space;
            this.status = new FilesystemStatus(path, 0, 0, Level.OK, List.of(), 0);
        }
    }

    /**
     * @param paths the directories naming the filesystems to watch (resolved by the node)
     * @param host this host's name, for events
     * @param appOf the app that writes a container log file (from the container's metadata)
     * @param spaceOf the free and total space of a watched path (tests pass a simulated disk)
     */
    public DiskGuard(
            DiskGuardConfig config,
            List<Path> paths,
            String host,
            Function<Path, String> appOf,
            Function<Path, DiskSpace> spaceOf,
            Events events,
            Metrics metrics,
            InstantSource clock) {
        this.config = Objects.requireNonNull(config);
        this.host = host;
        this.appOf = appOf;
        this.events = events;
        this.clock = clock;
        this.logFiles = new LogFiles(config.dockerContainers(), config.pods(), config.maxFiles());
        for (Path p : paths) {
            watched.add(new Watched(p, spaceOf.apply(p)));
        }
        this.usedRatio =
                metrics.gauge("spillway_disk_used_ratio", "Share of a watched filesystem in use (0..1).", "path");
        this.levelGauge = metrics.gauge(
                "spillway_disk_level",
                "Watermark level of a watched filesystem: 0 ok, 1 warn, 2 critical, 3 emergency.",
                "path");
        this.reclaimed = metrics.counter(
                "spillway_disk_reclaimed_bytes",
                "Bytes removed by truncating runtime log files (reclaim: truncate).",
                "path");
        this.filesSkipped = metrics.gauge(
                "spillway_disk_guard_files_skipped", "Container log files not measured in the last scan (max_files).");
    }

    /** Measures once and publishes the events due. */
    public synchronized void tick() {
        Instant now = clock.instant();
        Map<Path, Long> sizes = logFiles.scan();
        filesSkipped.set(logFiles.skipped());
        double seconds = lastScan == null ? 0 : Math.max(1e-3, (now.toEpochMilli() - lastScan.toEpochMilli()) / 1000.0);
        List<Writer> writers = new ArrayList<>(sizes.size());
        for (Map.Entry<Path, Long> e : sizes.entrySet()) {
            Long before = lastSizes.get(e.getKey());
            double rate = 0;
            if (before != null && seconds > 0) {
                // A file that shrank was truncated or replaced: all of it is new since then.
                long grown = e.getValue() >= before ? e.getValue() - before : e.getValue();
                rate = grown / seconds;
            }
            writers.add(new Writer(e.getKey(), app(e.getKey()), rate, e.getValue()));
        }
        writers.sort(Comparator.comparingDouble(Writer::bytesPerSecond)
                .reversed()
                .thenComparing(Comparator.comparingLong(Writer::size).reversed()));
        lastSizes = sizes;
        lastScan = now;
        apps.keySet().retainAll(sizes.keySet());
        storeOfDir.keySet().removeIf(dir -> !Files.isDirectory(dir));

        for (Watched w : watched) {
            measure(w, writers, now);
        }
    }

    /** Every watched filesystem as last measured. */
    public synchronized List<FilesystemStatus> status() {
        return watched.stream().map(w -> w.status).toList();
    }

    private void measure(Watched w, List<Writer> writers, Instant now) {
        long total;
        long free;
        try {
            total = w.space.totalBytes();
            free = w.space.usableBytes();
        } catch (IOException e) {
            log.warn("disk guard cannot measure {}: {}", w.path, e.toString());
            return;
        }
        List<Writer> top = topOn(w, writers);
        Level next = nextLevel(w.level, total, free);
        if (next == Level.EMERGENCY && config.reclaim() == Reclaim.TRUNCATE) {
            Writer victim = top.isEmpty() ? null : top.getFirst();
            if (victim != null && victim.size() > 0) {
                long removed = truncate(victim);
                if (removed > 0) {
                    w.reclaimedBytes += removed;
                    reclaimed.labelValues(w.path.toString()).inc(removed);
                    publishReclaim(w, victim, removed, now);
                    try {
                        free = w.space.usableBytes();
                    } catch (IOException e) {
                        // Keep the earlier figure; the next tick measures again.
                    }
                }
            }
        }
        Level before = w.level;
        w.level = next;
        w.status = new FilesystemStatus(w.path, total, free, next, top, w.reclaimedBytes);
        usedRatio.labelValues(w.path.toString()).set(w.status.usedPercent() / 100.0);
        levelGauge.labelValues(w.path.toString()).set(next.ordinal());
        if (next != before) {
            publishLevel(w, before, now);
        }
    }

    /** The new level: up at once to the highest crossed watermark, down only past the margin. */
    Level nextLevel(Level current, long total, long free) {
        Level crossed = Level.OK;
        if (config.emergency().crossed(total, free)) {
            crossed = Level.EMERGENCY;
        } else if (config.critical().crossed(total, free)) {
            crossed = Level.CRITICAL;
        } else if (config.warn().crossed(total, free)) {
            crossed = Level.WARN;
        }
        if (crossed.compareTo(current) >= 0) {
            return crossed;
        }
        Level level = current;
        while (level.compareTo(crossed) > 0 && watermark(level).clearedWithMargin(total, free, config.clearMargin())) {
            level = Level.values()[level.ordinal() - 1];
        }
        return level;
    }

    private Watermark watermark(Level level) {
        return switch (level) {
            case WARN -> config.warn();
            case CRITICAL -> config.critical();
            case EMERGENCY -> config.emergency();
            case OK -> throw new IllegalArgumentException("OK has no watermark");
        };
    }

    private List<Writer> topOn(Watched w, List<Writer> writers) {
        FileStore fs = store(w.path);
        List<Writer> top = new ArrayList<>(config.topWriters());
        for (Writer writer : writers) {
            if (top.size() == config.topWriters()) {
                break;
            }
            FileStore wfs = store(writer.file().getParent());
            if (fs != null && fs.equals(wfs)) {
                top.add(writer);
            }
        }
        return top;
    }

    private @Nullable FileStore store(@Nullable Path dir) {
        if (dir == null) {
            return null;
        }
        return storeOfDir.computeIfAbsent(dir, d -> {
            try {
                return Files.getFileStore(d);
            } catch (IOException e) {
                return null;
            }
        });
    }

    private String app(Path file) {
        return apps.computeIfAbsent(file, appOf);
    }

    private long truncate(Writer victim) {
        try (FileChannel ch = FileChannel.open(victim.file(), StandardOpenOption.WRITE)) {
            long size = ch.size();
            ch.truncate(0);
            log.warn(
                    "disk guard truncated {} (app {}, {} removed) at the emergency watermark (reclaim: truncate)",
                    victim.file(),
                    victim.app(),
                    DataSize.human(size));
            return size;
        } catch (IOException e) {
            log.warn("disk guard could not truncate {}: {}", victim.file(), e.toString());
            return 0;
        }
    }

    private void publishLevel(Watched w, Level before, Instant now) {
        FilesystemStatus s = w.status;
        Map<String, String> details = new LinkedHashMap<>();
        details.put("path", w.path.toString());
        details.put("level", s.level().label());
        details.put("previous_level", before.label());
        details.put("used_percent", String.format(java.util.Locale.ROOT, "%.1f", s.usedPercent()));
        details.put("free_bytes", Long.toString(s.freeBytes()));
        details.put("total_bytes", Long.toString(s.totalBytes()));
        String topLine = null;
        if (!s.topWriters().isEmpty()) {
            topLine = s.topWriters().getFirst().describe(w.path.toString(), host);
            details.put("top_writer", topLine);
            details.put("top_writer_app", s.topWriters().getFirst().app());
            details.put("top_writer_file", s.topWriters().getFirst().file().toString());
            StringBuilder all = new StringBuilder();
            for (Writer t : s.topWriters()) {
                all.append(all.isEmpty() ? "" : "; ")
                        .append(t.app())
                        .append(' ')
                        .append(t.rate());
            }
            details.put("top_writers", all.toString());
        }
        if (w.reclaimedBytes > 0) {
            details.put("reclaimed_bytes", Long.toString(w.reclaimedBytes));
        }
        String summary;
        if (s.level() == Level.OK) {
            summary = String.format(
                    java.util.Locale.ROOT, "%s back to %.1f%% used (was %s)", w.path, s.usedPercent(), before.label());
        } else {
            summary = String.format(
                            java.util.Locale.ROOT,
                            "%s %.1f%% used, %s free (%s) on %s",
                            w.path,
                            s.usedPercent(),
                            DataSize.human(s.freeBytes()),
                            s.level().label(),
                            host)
                    + (topLine == null ? "" : "; top writer: " + topLine);
        }
        Event.State state = s.level() == Level.OK ? Event.State.CLEARED : Event.State.FIRING;
        Level sevLevel = s.level() == Level.OK ? before : s.level();
        events.publish(
                new Event(now, KIND, w.path.toString(), sevLevel.severity(), state, host, null, summary, details));
    }

    private void publishReclaim(Watched w, Writer victim, long removed, Instant now) {
        Map<String, String> details = Map.of(
                "path", w.path.toString(),
                "file", victim.file().toString(),
                "app", victim.app(),
                "removed_bytes", Long.toString(removed),
                "rate", victim.rate());
        String summary = "reclaim: truncated " + victim.file() + " (app " + victim.app() + ", writing " + victim.rate()
                + "), removed " + DataSize.human(removed) + " on " + host;
        events.publish(new Event(
                now,
                RECLAIM_KIND,
                victim.file().toString(),
                io.spillway.event.EventSeverity.WARNING,
                Event.State.FIRING,
                host,
                victim.app(),
                summary,
                details));
    }
}
