package io.spillway.space;

import io.prometheus.metrics.core.metrics.Counter;
import io.spillway.clock.SystemClock;
import io.spillway.config.ConfigException;
import io.spillway.config.DataSize;
import io.spillway.event.Event;
import io.spillway.event.EventSeverity;
import io.spillway.event.Events;
import io.spillway.metrics.Metrics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one space accountant of a process (G4: Spillway never writes to a filesystem whose free space
 * is below the configured floor). Every file Spillway writes reserves its bytes here before the
 * write: buffer spill segments, the file output's files, the store's chunks, the incident store,
 * the tokens file and the tail checkpoint.
 *
 * <h2>Design</h2>
 *
 * Writers {@link #register} with a kind, a directory and a floor (and the floor's config key, for
 * messages). Writers on the same filesystem share one ledger ({@link Filesystem}): free space as
 * last measured by {@code statvfs}, less what every writer claimed since. A {@link
 * SpaceWriter#reserve} is granted only if that figure, less the write (rounded up to whole blocks
 * plus one), stays at or above the writer's floor; so concurrent writers cannot cross a floor
 * together, nor one writer by the size of one batch. {@code statvfs} runs at most once per {@code
 * space.measure_interval} per filesystem, on the reserving thread, not once per write.
 *
 * <p><b>The incident store's headroom.</b> A writer registered with {@code headroom} (the incident
 * store) must have a floor below every other floor on its filesystem ({@link #problems()} reports it
 * otherwise), so when everything else has stopped at its floor, the incident store can still record
 * the incident saying so.
 *
 * <p><b>Refusals.</b> Each refused write is counted in {@code spillway_space_refused_writes{kind,
 * reason}} and {@code _bytes}; the first of an episode logs a WARN naming the floor's key and the
 * figures; {@link #tick} raises one {@code disk_floor} event per writer and episode, cleared after
 * {@code space.clear_after} without a refusal. Events are published from {@link #tick} only, never
 * from inside a write, because writers (the buffer) may hold locks that the event's path takes.
 *
 * <p><b>Start-up checks.</b> {@link #problems()} lists floors that cannot work: larger than their
 * filesystem, or an incident store floor not below the others'. The node refuses to start on them,
 * naming the keys.
 *
 * <p>Thread-safe.
 */
public final class SpaceAccountant {
    private static final Logger log = LoggerFactory.getLogger(SpaceAccountant.class);

    public static final String EVENT_KIND = "disk_floor";
    static final String REASON_UNMEASURABLE = "unmeasurable";

    private final SpaceConfig config;
    private final Function<Path, DiskSpace> probes;
    private final InstantSource clock;
    private final Map<Object, Filesystem> filesystems = new LinkedHashMap<>();
    private final List<SpaceWriter> writers = new CopyOnWriteArrayList<>();
    private final List<String> registrationProblems = new CopyOnWriteArrayList<>();
    private final Counter refusedWrites;
    private final Counter refusedBytes;
    /** Writers whose disk_floor event is firing; touched by tick only. */
    private final Map<SpaceWriter, Long> firing = new HashMap<>();

    /**
     * @param probes the {@code statvfs} probe of a directory's filesystem ({@link DiskSpace#of} for
     *     the real one)
     */
    public SpaceAccountant(SpaceConfig config, Function<Path, DiskSpace> probes, Metrics metrics, InstantSource clock) {
        this.config = config;
        this.probes = probes;
        this.clock = clock;
        this.refusedWrites = metrics.counter(
                "spillway_space_refused_writes",
                "Writes refused by the space accountant, per file kind and reason (floor, unmeasurable).",
                "kind",
                "reason");
        this.refusedBytes = metrics.counter(
                "spillway_space_refused_bytes",
                "Bytes of writes refused by the space accountant, per file kind and reason.",
                "kind",
                "reason");
        metrics.gaugeCallback(
                "spillway_space_free_bytes",
                "Free space of a filesystem Spillway writes to, as last measured.",
                cb -> forEachFilesystem(f -> cb.call(f.measured(), f.label)),
                "filesystem");
        metrics.gaugeCallback(
                "spillway_space_claimed_bytes",
                "Bytes Spillway's writers claimed on a filesystem since it was last measured.",
                cb -> forEachFilesystem(f -> cb.call(f.claimed(), f.label)),
                "filesystem");
        metrics.gaugeCallback(
                "spillway_space_floor_bytes",
                "The free-space floor of one writer on its filesystem.",
                cb -> writers.forEach(w -> cb.call(w.floorBytes(), w.kind, w.name)),
                "kind",
                "name");
    }

    /** The real filesystems, the system clock. */
    public static SpaceAccountant system(SpaceConfig config, Metrics metrics) {
        return new SpaceAccountant(config, DiskSpace::of, metrics, SystemClock.instantSource());
    }

    /**
     * One writer on its own accountant that measures before every reservation: for components used
     * without a node (tools, tests). {@code probe} null means the real filesystem of {@code dir}.
     */
    public static SpaceWriter standalone(
            String kind,
            Path dir,
            SpaceFloor floor,
            String floorKey,
            @org.jspecify.annotations.Nullable DiskSpace probe) {
        SpaceConfig c = new SpaceConfig(
                java.time.Duration.ZERO, floor, SpaceConfig.defaults().clearAfter());
        DiskSpace p = probe;
        SpaceAccountant a =
                new SpaceAccountant(c, p == null ? DiskSpace::of : d -> p, new Metrics(), SystemClock.instantSource());
        return a.register(kind, kind, dir, floor, floorKey, false);
    }

    public SpaceConfig config() {
        return config;
    }

    private void forEachFilesystem(java.util.function.Consumer<Filesystem> action) {
        List<Filesystem> all;
        synchronized (filesystems) {
            all = new ArrayList<>(filesystems.values());
        }
        all.forEach(action);
    }

    /**
     * Registers a writer.
     *
     * @param kind the file kind, a metric label from a fixed set ({@code buffer}, {@code file},
     *     {@code store}, {@code incidents}, {@code tokens}, {@code tail_checkpoint})
     * @param name which one of that kind (the output's name for a buffer), for messages and events
     * @param dir the directory it writes into (need not exist yet)
     * @param floor its floor; {@code 0} writes down to a full disk (still accounted for the others)
     * @param floorKey the config key of {@code floor}, named in messages
     * @param headroom true for the incident store: its floor must be below every other floor on the
     *     same filesystem
     */
    public SpaceWriter register(
            String kind, String name, Path dir, SpaceFloor floor, String floorKey, boolean headroom) {
        DiskSpace probe = probes.apply(dir);
        Object key;
        try {
            key = probe.filesystemKey();
        } catch (IOException e) {
            key = probe;
            log.warn("space: cannot find the filesystem of {}: {}", dir, e.toString());
        }
        Filesystem fs;
        synchronized (filesystems) {
            Object k = key;
            fs = filesystems.computeIfAbsent(
                    k,
                    x -> new Filesystem(
                            probe,
                            label(k, dir),
                            clock,
                            config.measureInterval().toMillis()));
        }
        SpaceWriter w = new SpaceWriter(this, fs, kind, name, dir, floor, floorKey, headroom);
        writers.add(w);
        long total = fs.total();
        long floorBytes = floor.bytesFor(Math.max(0, total));
        if (total >= 0 && !floor.isOff() && floorBytes >= total) {
            registrationProblems.add(floorKey + ": the floor " + floor + " (" + DataSize.human(floorBytes)
                    + ") does not fit the filesystem of " + dir + ", which holds " + DataSize.human(total)
                    + " in all: nothing could ever be written; use a smaller floor, e.g. " + SpaceFloor.DEFAULT);
        }
        return w;
    }

    private static String label(Object key, Path dir) {
        return key instanceof java.nio.file.FileStore s ? s.toString() : dir.toString();
    }

    /**
     * Floors that cannot work, one line each naming the key: a floor at least as large as its
     * filesystem; an incident store floor not below another writer's floor on the same filesystem.
     */
    public List<String> problems() {
        List<String> out = new ArrayList<>(registrationProblems);
        for (SpaceWriter h : writers) {
            if (!h.headroom) {
                continue;
            }
            for (SpaceWriter w : writers) {
                if (w.headroom || w.fsOf() != h.fsOf() || w.floor.isOff()) {
                    continue;
                }
                long hb = h.floorBytes();
                long wb = w.floorBytes();
                if (hb >= wb) {
                    out.add(h.floorKey + ": the incident store's floor " + h.floor + " (" + DataSize.human(hb)
                            + ") must be below " + w.floorKey + " " + w.floor + " (" + DataSize.human(wb)
                            + ") on the same filesystem (" + h.dir + " and " + w.dir
                            + "), so that incidents can still be recorded once the others stop at their floor;"
                            + " lower it, or put the incident store on another filesystem (alert.store_dir)");
                }
            }
        }
        return out.stream().distinct().toList();
    }

    /** Throws the {@link #problems()} as one configuration error, if there are any. */
    public void check() throws ConfigException {
        List<String> p = problems();
        if (!p.isEmpty()) {
            throw new ConfigException(p);
        }
    }

    /** A writer's write was refused: count it, and log the first of an episode. */
    void refused(SpaceWriter w, long bytes, String reason, String message) {
        refusedWrites.labelValues(w.kind, reason).inc();
        refusedBytes.labelValues(w.kind, reason).inc(Math.max(0, bytes));
        w.refusedWrites.incrementAndGet();
        w.lastRefusal = message;
        long now = clock.millis();
        long previous = w.lastRefusalMillis;
        w.lastRefusalMillis = now;
        // An episode ends in tick(); without a ticker (a standalone writer) a quiet clear_after does.
        boolean stale = now - previous >= config.clearAfter().toMillis();
        if (!w.episode || stale) {
            synchronized (w) {
                if (!w.episode || stale) {
                    w.episode = true;
                    log.warn("{} (logged once until no write was refused for {})", message, fmt(config.clearAfter()));
                }
            }
        }
    }

    /**
     * Raises a {@code disk_floor} event (warning) for each writer with refusals not yet reported, and
     * clears it after {@code clear_after} without one. Called periodically from one thread.
     */
    public void tick(Events events, String host) {
        long now = clock.millis();
        for (SpaceWriter w : writers) {
            long count = w.refusedWrites.get();
            Long reported = firing.get(w);
            String subject = w.kind + (w.kind.equals(w.name) ? "" : "/" + w.name);
            if (reported == null && w.episode) {
                firing.put(w, count);
                String summary = String.valueOf(w.lastRefusal);
                events.publish(new Event(
                        clock.instant(),
                        EVENT_KIND,
                        subject,
                        EventSeverity.WARNING,
                        Event.State.FIRING,
                        host,
                        null,
                        summary,
                        details(w, count)));
            } else if (reported != null
                    && now - w.lastRefusalMillis >= config.clearAfter().toMillis()) {
                firing.remove(w);
                synchronized (w) {
                    w.episode = false;
                }
                long during = count - reported;
                log.info(
                        "{}: writes to {} resume ({} more refused since the first)",
                        w.kind.equals(w.name) ? w.kind : w.kind + " " + w.name,
                        w.dir,
                        during);
                events.publish(new Event(
                        clock.instant(),
                        EVENT_KIND,
                        subject,
                        EventSeverity.WARNING,
                        Event.State.CLEARED,
                        host,
                        null,
                        subject + ": no write refused by the floor for " + fmt(config.clearAfter()),
                        details(w, count)));
            }
        }
    }

    private static Map<String, String> details(SpaceWriter w, long count) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("file_kind", w.kind);
        d.put("writer", w.name);
        d.put("path", w.dir.toString());
        d.put("floor_key", w.floorKey);
        d.put("floor", w.floor.toString());
        d.put("floor_bytes", Long.toString(w.floorBytes()));
        d.put("refused_writes", Long.toString(count));
        return d;
    }

    private static String fmt(java.time.Duration d) {
        return io.spillway.config.Durations.format(d);
    }

    /** Measures every filesystem now (tests; and a way to see freed space before the interval). */
    public void measureAll() {
        forEachFilesystem(Filesystem::measureNow);
    }

    /** How many times the filesystem of {@code w} was measured (tests of the rate bound). */
    public static long measurements(SpaceWriter w) {
        Filesystem f = w.fsOf();
        return f == null ? 0 : f.measurements();
    }
}
