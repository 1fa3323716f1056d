package io.spillway.store;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.spillway.admission.Drops;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.Output;
import io.spillway.record.LogRecord;
import io.spillway.space.FloorException;
import io.spillway.space.Reservation;
import io.spillway.space.SpaceAccountant;
import io.spillway.space.SpaceWriter;
import io.spillway.thread.NamedThreadFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code store} output: appends each batch to the embedded {@link LogStore}.
 *
 * <p>Durability (DESIGN.md G5): {@link #write} returns only once every record of the batch is in the
 * operating system, so a committed batch survives {@code kill -9} of the process; {@link #flush}
 * forces the chunks to disk ({@code fsync_on_flush}), so it also survives a host crash, and runs the
 * store's retention and sealing ({@link LogStore#maintain}).
 *
 * <p>Floor (G4): each batch reserves a bound on its encoded size with the space accountant before
 * anything is appended, and each sealed chunk reserves its own bytes ({@link LogStore}); a refused
 * batch makes {@code write} throw a {@link FloorException} naming {@code min_free_space} and the
 * figures, without writing (counted in {@code spillway_store_below_floor}), so records wait in the
 * output's buffer and are shed there, fairly.
 *
 * <p>The store is opened in {@link #start} (recovery runs there) and exposed by {@link #reader()} for
 * queries. Retention and age-based sealing also run once a second on the thread {@code
 * store-maintenance}, so they happen while no records arrive too. Threading: {@code write}/{@code
 * flush}/{@code close} come from the output worker's thread; the store serialises them with the
 * maintenance thread; {@link #reader()} may be used from any thread once started.
 */
public final class StoreOutput implements Output {
    private static final Logger log = LoggerFactory.getLogger(StoreOutput.class);

    private final String name;
    private final StoreConfig config;
    private final Path dir;
    private final Metrics metrics;
    private final InstantSource clock;
    private final CounterDataPoint belowFloor;
    private volatile @Nullable LogStore store;
    private final SpaceWriter space;
    private final Drops drops;
    private final String host;
    private @Nullable ScheduledExecutorService maintenance;

    /**
     * @param dir the store's directory, already resolved by the node ({@link StoreConfig#resolveDir})
     */
    public StoreOutput(String name, StoreConfig config, Path dir, Metrics metrics, InstantSource clock) {
        this(name, config, dir, metrics, clock, (app, reason, n, b) -> {}, "");
    }

    /** The config key of the floor, named in refusals. */
    public static final String MIN_FREE_SPACE_KEY = "outputs.store.min_free_space";

    /** Bytes reserved per record beyond {@link LogRecord#sizeBytes()}: its frame and encoding. */
    static final int RECORD_OVERHEAD_BYTES = 32;

    /**
     * @param drops where records lost to corruption are counted (reason {@code corrupt}); the store
     *     writes their marker into the app's stream itself
     * @param host the host name written into those markers
     */
    public StoreOutput(
            String name, StoreConfig config, Path dir, Metrics metrics, InstantSource clock, Drops drops, String host) {
        this(
                name,
                config,
                dir,
                metrics,
                clock,
                drops,
                host,
                SpaceAccountant.standalone("store", dir, config.minFreeSpace(), MIN_FREE_SPACE_KEY, null));
    }

    /**
     * @param space the writer batches and sealed chunks reserve their bytes through, registered with
     *     the node's space accountant with {@code min_free_space}
     */
    public StoreOutput(
            String name,
            StoreConfig config,
            Path dir,
            Metrics metrics,
            InstantSource clock,
            Drops drops,
            String host,
            SpaceWriter space) {
        this.drops = drops;
        this.host = host;
        this.name = name;
        this.config = config;
        this.dir = dir;
        this.space = space;
        this.metrics = metrics;
        this.clock = clock;
        this.belowFloor = metrics.counter(
                        "spillway_store_below_floor",
                        "Batches the store refused because free space was below min_free_space.")
                .labelValues();
    }

    @Override
    public String describe() {
        return dir.toString();
    }

    @Override
    public String name() {
        return name;
    }

    public Path dir() {
        return dir;
    }

    /** Opens and recovers the store. Idempotent. */
    @Override
    public synchronized void start() throws IOException {
        if (store == null) {
            LogStore s = LogStore.open(dir, config, metrics, clock, drops, host, space);
            store = s;
            ScheduledExecutorService m =
                    Executors.newSingleThreadScheduledExecutor(NamedThreadFactory.daemon("store-maintenance"));
            m.scheduleWithFixedDelay(() -> maintain(s), 1, 1, TimeUnit.SECONDS);
            maintenance = m;
        }
    }

    private void maintain(LogStore s) {
        try {
            s.maintain();
        } catch (IllegalStateException closed) {
            // the store closed between two runs
        } catch (IOException | RuntimeException e) {
            log.warn("output {}: store maintenance failed: {}", name, e.getMessage());
        }
    }

    /** The store, for queries; null before {@link #start}. */
    public @Nullable LogReader reader() {
        return store;
    }

    /** The store itself; null before {@link #start}. */
    public @Nullable LogStore store() {
        return store;
    }

    @Override
    public void write(List<LogRecord> batch) throws IOException {
        LogStore s = store;
        if (s == null) {
            throw new IllegalStateException("output " + name + ": write before start");
        }
        long bound = 0;
        for (LogRecord r : batch) {
            bound += r.sizeBytes() + RECORD_OVERHEAD_BYTES;
        }
        Reservation room = space.reserve(bound);
        if (!room.granted()) {
            belowFloor.inc();
            throw new FloorException("output " + name + ": " + room.refusal());
        }
        try {
            s.append(batch);
        } finally {
            // What was appended is not measured here; the bound counts until the next statvfs sees it.
            room.written(bound);
        }
    }

    @Override
    public void flush() throws IOException {
        LogStore s = store;
        if (s == null) {
            return;
        }
        if (config.fsyncOnFlush()) {
            s.sync();
        }
        s.maintain();
    }

    @Override
    public void close() throws IOException {
        ScheduledExecutorService m = maintenance;
        if (m != null) {
            m.shutdownNow();
            try {
                m.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LogStore s = store;
        if (s != null) {
            s.close();
            log.info("output {}: store closed ({})", name, DataSize.human(s.totalBytes()));
        }
    }
}
