package io.spillway.store;

import io.spillway.admission.Drops;
import io.spillway.buffer.Quarantine;
import io.spillway.config.DataSize;
import io.spillway.guard.DropLedger;
import io.spillway.metrics.Metrics;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import io.spillway.space.FloorException;
import io.spillway.space.Reservation;
import io.spillway.space.SpaceWriter;
import io.spillway.thread.NamedThreadFactory;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded log store (DESIGN.md §9): per-app append-only chunks, compressed with zstd once sealed,
 * with a per-chunk time index; retention by age and bytes, heaviest app first; bounded queries and
 * live follow. See {@code docs/outputs/store.md}.
 *
 * <p><b>Layout.</b> {@code <dir>/<app>/<id>.open} is the app's active chunk ({@link ActiveChunk}:
 * CRC-framed records), {@code <dir>/<app>/<id>.zst} its sealed chunks ({@link SealedChunk}: blocks of
 * records compressed independently, with an index of time span and record range per block). Ids are
 * 16 hex digits, grow per app and are never reused, so {@code (chunk id, record index)} is a stable,
 * totally ordered position: the {@link Cursor}.
 *
 * <p><b>Durability.</b> {@link #append} hands every record to the operating system before it returns
 * (it survives {@code kill -9}); {@link #sync} forces the active chunks to disk (it survives a host
 * crash). An active chunk that reaches {@code chunk_size} or {@code chunk_max_age} is rotated: closed
 * (not forced: the next {@link #sync} forces it if it is still unsealed by then) and handed to the
 * seal thread {@code store-seal}, while the next record starts a new chunk; so compression does not
 * hold up appends. At most {@link Sealer#pendingSeals} chunks wait for it store-wide (the writer
 * waits past that); waiting chunks stay readable and counted. The seal thread writes the sealed file
 * as {@code .tmp}, forces it, renames it and forces the directory before the {@code .open} file is
 * deleted, so at every instant each record is in a complete file; a failed seal is logged and
 * retried by {@link #maintain}. The {@link Sealer} holds these rules. {@link #open}
 * recovers: {@code .tmp} files are deleted, an {@code .open} file whose {@code .zst} exists is deleted
 * (the crash came between rename and delete), and older {@code .open} files than an app's newest are
 * sealed.
 *
 * <p><b>Damage.</b> An {@code .open} file keeps every valid frame: recovery resynchronises past
 * garbage ({@link ActiveChunk#recover}). A {@code .zst} whose index cannot be read is salvaged block by
 * block ({@link SealedChunk#salvage}) and sealed again; a block that fails its CRC when a query reads
 * it is cut out of its chunk by the seal thread ({@link #repair}). The damaged file goes to {@code
 * <dir>/quarantine/<app>/} ({@link Quarantine}, bounded), the records lost are counted per app with
 * reason {@code corrupt} ({@link Drops#droppedMarked}: exact where the damage left their framing or
 * the chunk's index, else estimated and said so), and a marker record goes into the app's own stream
 * (G3): {@code spillway: lost 250 records (251.0 kB) to corruption in web/00000000000000a1.zst, a
 * copy is in quarantine/web/00000000000000a1.zst}, with the fields of a drop marker ({@code
 * spillway=drop_marker}, {@code dropped_lines}, {@code dropped_bytes}, {@code reasons=corrupt=N}) and
 * {@code estimated}, {@code file}, {@code quarantine}.
 *
 * <p><b>Retention</b> ({@link #maintain}, and after each batch for the byte caps): a sealed chunk
 * whose last record was stored more than {@code max_age} ago is deleted; an app over its byte cap
 * ({@code max_per_app} or its {@code apps} override) loses its oldest chunk; while the store is over
 * {@code max_total}, the app holding the most bytes loses its oldest chunk (an app with no sealed
 * chunk has its active chunk rotated, which compresses it, and the caps are checked again after the
 * next batch). So a flooding app evicts its own history first, and a quiet app's recent history
 * survives as long as some app holds more. The {@link Retention} holds these rules.
 *
 * <p><b>Bounds.</b> Messages longer than half a chunk are cut (counted); at most {@code
 * max_open_files} active chunks are open; at most {@code max_apps} apps are kept (beyond, records go
 * to app {@code _other} with their app in field {@code spillway.app}); queries are bounded by {@code
 * query_timeout} and {@code query_max_scan}; each follower's queue by {@code tail_queue}.
 *
 * <p><b>Threading.</b> Writes ({@link #append}, {@link #sync}, {@link #maintain}, {@link #close}) are
 * serialised by one lock, {@code writeLock}: the store has one writer (its output worker) plus the
 * output's maintenance timer. It guards the writer's state: the {@code open} and {@code dirty} sets,
 * each app's per-batch bookkeeping, the {@link Sealer}'s writer side (hand-overs, retries, the
 * rotated chunks a sync forces) and every {@link Retention} pass. Each app's chunks are guarded by
 * its {@link AppLog}'s monitor, taken only inside AppLog's operations: by the writer, by the seal
 * thread {@code store-seal} (which takes no other lock) to swap a sealed or repaired chunk in, and
 * by queries to snapshot the chunk list. The order is writeLock, then one app's monitor; nothing
 * takes writeLock holding a monitor, nor two monitors at once. The accounted bytes ({@code total})
 * are atomic, as the writer and the seal thread both change them. A query decodes sealed blocks
 * ahead of its walk on the shared {@link ScanPool} ({@code store-scan-N}, one thread per processor),
 * at most {@code 2 × processors} (2..16) blocks per query. Reads ({@link LogReader}) are thread-safe
 * and run concurrently with writes: they take an app's monitor only to snapshot its chunk list, then
 * read immutable files.
 */
public final class LogStore implements LogReader, Closeable {
    private static final Logger log = LoggerFactory.getLogger(LogStore.class);

    /** Apps beyond {@code max_apps} are stored under this app. */
    public static final String OVERFLOW_APP = AppNames.OTHER;

    /** The field that keeps the app of a record stored under {@link #OVERFLOW_APP}. */
    public static final String OVERFLOW_FIELD = "spillway.app";

    static final int MAX_APPS = 10_000;
    private static final long MAINTAIN_EVERY_MILLIS = 1000;

    private final Path dir;
    private final StoreConfig config;
    private final InstantSource clock;
    private final LongSupplier ticker;
    private final StoreMetrics metrics;
    private final int maxApps;
    private final int maxMessage;
    private final ConcurrentHashMap<String, AppLog> apps = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CopyOnWriteArrayList<BoundedTail>> tails = new ConcurrentHashMap<>();
    private final AtomicInteger followers = new AtomicInteger();
    private final AtomicLong total = new AtomicLong();
    private final Object writeLock = new Object();
    /** Apps whose active chunk's channel is open, least recently written first. Guarded by writeLock. */
    private final LinkedHashMap<AppLog, Boolean> open = new LinkedHashMap<>(16, 0.75f, true);
    /** Apps written since the last sync. Guarded by writeLock. */
    private final Set<AppLog> dirty = new LinkedHashSet<>();
    /**
     * Forces files for {@link #sync} in parallel: fsyncs issued together share the filesystem's
     * journal commits, so syncing fifty apps costs little more than syncing one. Threads exist only
     * while syncs run.
     */
    private final ThreadPoolExecutor syncPool;

    static final int SYNC_THREADS = 8;

    static final int MAX_PENDING_SEALS = Sealer.MAX_PENDING_SEALS;

    /** Rotates, seals and repairs chunks on the seal thread; its writer side runs under writeLock. */
    private final Sealer sealer;

    /** Deletes sealed chunks by age and bytes; runs under writeLock. */
    private final Retention retention;

    /** Decodes sealed blocks ahead of queries, shared by all of them (see {@link QueryRun}). */
    private final @Nullable ScanPool scanPool;
    /** Blocks decoded at once per query, at most: bounds a query's memory to this many blocks. */
    private final int scanWindow;

    /** Where lost records are counted (reason {@code corrupt}) and the host written into loss markers. */
    private final Drops drops;

    private final String host;
    private final Quarantine quarantine;
    /** Loss markers waiting to be appended by the writer (the seal thread finds damage too). */
    private final ConcurrentLinkedQueue<LogRecord> markers = new ConcurrentLinkedQueue<>();
    /** Sealed chunk files whose damaged blocks are being cut out. */
    private final Set<Path> repairing = ConcurrentHashMap.newKeySet();
    /** Chunks whose damaged blocks were counted but left in place (the floor forbade a rewrite). */
    private final Set<Path> countedInPlace = ConcurrentHashMap.newKeySet();

    private final GrowableBuffer scratch = new GrowableBuffer(64 * 1024);
    private long lastMaintainMillis = Long.MIN_VALUE / 2;
    private volatile boolean closed;

    private LogStore(
            Path dir,
            StoreConfig config,
            Metrics metrics,
            InstantSource clock,
            LongSupplier ticker,
            int maxApps,
            Drops drops,
            String host,
            SpaceWriter space) {
        this.dir = dir;
        this.drops = drops;
        this.host = host;
        // Sealed files and the quarantine's copies reserve their bytes through space (G4); the
        // appends are reserved by StoreOutput. The quarantine's copies keep the store's floor
        // (min_free_space), like its writes: a copy follows the check at once, so the check claims
        // its bytes as written.
        this.quarantine = new Quarantine(
                dir, Math.max(config.chunkSize().bytes() * 4, config.maxTotal().bytes() / 16), bytes -> {
                    Reservation r = space.reserve(bytes);
                    if (!r.granted()) {
                        return false;
                    }
                    r.written(bytes);
                    return true;
                });
        this.config = config;
        this.clock = clock;
        this.ticker = ticker;
        this.metrics = new StoreMetrics(metrics);
        this.maxApps = maxApps;
        this.maxMessage = (int) (config.chunkSize().bytes() / 2);
        this.sealer = new Sealer(dir, Sealer.Config.of(config), space, total, this.metrics);
        this.retention = new Retention(Retention.Config.of(config), total, this.metrics);
        this.syncPool = new ThreadPoolExecutor(
                SYNC_THREADS,
                SYNC_THREADS,
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                NamedThreadFactory.daemon("store-sync"));
        syncPool.allowCoreThreadTimeOut(true);
        this.scanPool = ScanPool.forMachine();
        this.scanWindow = scanPool == null ? 1 : Math.min(16, Math.max(2, 2 * scanPool.threads()));
        metrics.gaugeCallback(
                "spillway_store_disk_bytes", "Bytes of the store's chunks on disk.", cb -> cb.call(total.get()));
        metrics.gaugeCallback("spillway_store_apps", "Apps the store holds.", cb -> cb.call(apps.size()));
    }

    /** See {@link Sealer#pendingSeals}. */
    static int pendingSeals(StoreConfig config) {
        return Sealer.pendingSeals(config);
    }

    /**
     * Opens (creating it if needed) and recovers the store in {@code dir}; see the class comment.
     *
     * @param clock wall time: record ages for retention and ingest rates
     */
    public static LogStore open(Path dir, StoreConfig config, Metrics metrics, InstantSource clock) throws IOException {
        return open(dir, config, metrics, clock, (app, reason, n, b) -> {}, "");
    }

    /**
     * Opens and recovers the store, reporting records lost to corruption to {@code drops} (reason
     * {@code corrupt}; the store writes the loss marker into the app's stream itself, see {@link
     * Drops#droppedMarked}) with {@code host} in its markers.
     */
    public static LogStore open(
            Path dir, StoreConfig config, Metrics metrics, InstantSource clock, Drops drops, String host)
            throws IOException {
        return open(dir, config, metrics, clock, System::nanoTime, MAX_APPS, drops, host);
    }

    /**
     * As {@link #open(Path, StoreConfig, Metrics, InstantSource)}, with every sealed chunk reserving
     * its bytes through {@code space} before it is written (a refused seal is retried by {@link
     * #maintain}; the chunk stays readable meanwhile). Appends are reserved by the caller per batch.
     */
    public static LogStore open(Path dir, StoreConfig config, Metrics metrics, InstantSource clock, SpaceWriter space)
            throws IOException {
        return open(dir, config, metrics, clock, (app, reason, n, b) -> {}, "", space);
    }

    /** With drops and host as above, and every sealed chunk and quarantine copy reserving through {@code space}. */
    public static LogStore open(
            Path dir,
            StoreConfig config,
            Metrics metrics,
            InstantSource clock,
            Drops drops,
            String host,
            SpaceWriter space)
            throws IOException {
        return open(dir, config, metrics, clock, System::nanoTime, MAX_APPS, drops, host, space);
    }

    /** With a query ticker and an app cap of the caller's choosing (tests). */
    static LogStore open(
            Path dir, StoreConfig config, Metrics metrics, InstantSource clock, LongSupplier ticker, int maxApps)
            throws IOException {
        return open(dir, config, metrics, clock, ticker, maxApps, (app, reason, n, b) -> {}, "");
    }

    static LogStore open(
            Path dir,
            StoreConfig config,
            Metrics metrics,
            InstantSource clock,
            LongSupplier ticker,
            int maxApps,
            Drops drops,
            String host)
            throws IOException {
        return open(dir, config, metrics, clock, ticker, maxApps, drops, host, SpaceWriter.unaccounted("store", dir));
    }

    private static LogStore open(
            Path dir,
            StoreConfig config,
            Metrics metrics,
            InstantSource clock,
            LongSupplier ticker,
            int maxApps,
            Drops drops,
            String host,
            SpaceWriter space)
            throws IOException {
        Files.createDirectories(dir);
        LogStore s = new LogStore(dir, config, metrics, clock, ticker, maxApps, drops, host, space);
        s.recover();
        s.appendMarkers();
        return s;
    }

    public Path dir() {
        return dir;
    }

    public StoreConfig config() {
        return config;
    }

    /** Bytes of every chunk, as accounted. */
    public long totalBytes() {
        return total.get();
    }

    // ---------------------------------------------------------------- recovery

    private void recover() throws IOException {
        long cut = 0;
        int chunks = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path appDir : ds) {
                String name = appDir.getFileName().toString();
                if (!Files.isDirectory(appDir) || !AppNames.normalize(name).equals(name)) {
                    continue;
                }
                AppLog a = new AppLog(name, appDir);
                cut += recoverApp(a);
                if (name.equals(Quarantine.DIR) && !a.hasSealed() && !a.hasActive()) {
                    continue; // the quarantine, not an app (an app of that name has chunks here)
                }
                chunks += a.sealedCount() + (a.hasActive() ? 1 : 0);
                apps.put(name, a);
            }
        }
        long sum = 0;
        for (AppLog a : apps.values()) {
            sum += a.bytes();
        }
        total.set(sum);
        if (cut > 0) {
            metrics.recoveryCut(cut);
            // Not "never synced": a torn tail is, but garbage from outside can hit synced records.
            log.warn(
                    "store: cut {} of torn or damaged active-chunk bytes at open (records lost are logged above and"
                            + " counted in spillway_dropped_records_total{{reason=\"corrupt\"}})",
                    DataSize.human(cut));
        }
        log.info("store: opened {} with {} apps, {} chunks, {}", dir, apps.size(), chunks, DataSize.human(total.get()));
    }

    /** Recovers one app directory; returns the bytes cut from torn tails. */
    private long recoverApp(AppLog a) throws IOException {
        TreeMap<Long, Path> sealedFiles = new TreeMap<>();
        TreeMap<Long, Path> openFiles = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(a.dir)) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                if (f.endsWith(SealedChunk.TMP_SUFFIX) || f.endsWith(ActiveChunk.SUFFIX + ActiveChunk.TMP_SUFFIX)) {
                    // A seal or a rewrite cut short by a crash: its source is still there.
                    Files.deleteIfExists(p);
                    continue;
                }
                long id = SealedChunk.idOf(f, SealedChunk.SUFFIX);
                if (id >= 0) {
                    sealedFiles.put(id, p);
                    continue;
                }
                id = SealedChunk.idOf(f, ActiveChunk.SUFFIX);
                if (id >= 0) {
                    openFiles.put(id, p);
                }
            }
        }
        long maxId = -1;
        Map<Long, String> unreadable = new TreeMap<>();
        for (Map.Entry<Long, Path> e : sealedFiles.entrySet()) {
            maxId = Math.max(maxId, e.getKey());
            try {
                SealedChunk c = SealedChunk.open(e.getValue(), e.getKey());
                a.addSealed(c);
            } catch (IOException ex) {
                // Written by tmp+fsync+rename, so this is damage from outside.
                unreadable.put(e.getKey(), String.valueOf(ex.getMessage()));
            }
        }
        // After the readable ones: their records per byte estimate what a wholly unreadable one held.
        for (Map.Entry<Long, String> e : unreadable.entrySet()) {
            Path zst = sealedFiles.get(e.getKey());
            if (openFiles.containsKey(e.getKey())) {
                // Its .open source is still there (a crash came before it was deleted): sealed again below.
                metrics.corrupt();
                Path where = quarantine.moveOrDelete(zst, a.name);
                log.warn(
                        "store: app {}: unreadable {} ({}) is sealed again from its .open source; {}",
                        a.name,
                        zst,
                        e.getValue(),
                        where == null ? "deleted" : "moved to " + quarantine.describe(where));
                continue;
            }
            salvage(a, zst, e.getKey(), e.getValue());
        }
        long cut = 0;
        for (Map.Entry<Long, Path> e : openFiles.entrySet()) {
            long id = e.getKey();
            maxId = Math.max(maxId, id);
            if (sealedFiles.containsKey(id) && a.hasSealedId(id)) {
                // The crash came after the rename and before the delete.
                Files.deleteIfExists(e.getValue());
                continue;
            }
            ActiveChunk.Recovery r = ActiveChunk.recover(e.getValue(), id, quarantine, a.name);
            cut += r.cutBytes();
            if (r.cutBytes() > 0) {
                lostToCorruption(
                        a.name,
                        r.lostRecords(),
                        r.lostMessageBytes(),
                        r.exact(),
                        e.getValue(),
                        r.quarantined(),
                        r.kept(),
                        r.cutBytes() + " bytes cut");
            }
            ActiveChunk c = r.chunk();
            if (c.count == 0) {
                c.closeQuietly();
                Files.deleteIfExists(c.path);
            } else if (!a.hasActive() && id == openFiles.lastKey()) {
                a.resumeActive(c);
                c.closeChannel(); // reopened on the next append; keeps open files bounded at start
            } else {
                // An older active chunk (a seal failed): seal it now, in id order.
                a.resumeActive(c);
                try {
                    sealer.sealNow(a);
                } catch (FloorException refused) {
                    // At the floor, which is what left it unsealed: it stays readable, waiting for
                    // the seal like a rotated chunk, and maintenance retries once there is room.
                    a.deferSeal(c);
                    c.closeChannel();
                    log.warn(
                            "store: app {}: chunk {} waits for space to be sealed: {}",
                            a.name,
                            c.path,
                            refused.getMessage());
                }
            }
        }
        a.continueIdsAfter(maxId);
        return cut;
    }

    /**
     * A sealed chunk whose index cannot be read: decodes the blocks it can ({@link SealedChunk#salvage})
     * and seals them again under the same id; the file goes to the quarantine. The records lost are
     * estimated from the bytes that did not decode, at the rate of the blocks that did (or of the
     * app's other sealed chunks; none when there is nothing to learn from).
     */
    private void salvage(AppLog a, Path path, long id, @Nullable String problem) throws IOException {
        if (!quarantine.mayWrite(Files.size(path) * 2)) {
            // At min_free_space (G4) it cannot be sealed again: it stays, unread, until a start with room.
            metrics.corrupt();
            log.error(
                    "store: app {}: {} is unreadable ({}) and the filesystem is at min_free_space: left in place,"
                            + " salvaged at the next start with room",
                    a.name,
                    path,
                    problem);
            return;
        }
        SealedChunk.Salvage got;
        try {
            got = SealedChunk.salvage(path, (int)
                    Math.min(Integer.MAX_VALUE - 8, config.chunkSize().bytes() * 2));
        } catch (IOException | RuntimeException ex) {
            got = new SealedChunk.Salvage(new byte[0], 0, 0, Files.size(path));
        }
        double perByte;
        AppLog.SealedTotals others = a.sealedTotals();
        long n = others.records();
        long bytes = others.bytes();
        long msg = others.messageBytes();
        if (got.records() > 0) {
            perByte = got.records() / (double) got.decodedBytes();
        } else {
            perByte = bytes == 0 ? 0 : n / (double) bytes;
        }
        long lost = (long) Math.floor(got.undecodedBytes() * perByte); // records wholly in the lost bytes
        long lostMsg = 0;
        Path where;
        if (got.records() == 0) {
            where = quarantine.moveOrDelete(path, a.name);
            lostMsg = n == 0
                    ? Math.min(got.undecodedBytes(), lost * ActiveChunk.ESTIMATE_RECORD_BYTES)
                    : Math.round(lost * (double) msg / n);
        } else {
            where = keepCopy(path, a.name);
            SealedChunk c = SealedChunk.write(
                    a.dir, id, got.frames(), Files.getLastModifiedTime(path).toMillis(), config.compressionLevel());
            a.addSealed(c);
            lostMsg = c.count == 0 ? 0 : Math.round(lost * (double) c.messageBytes / c.count);
        }
        lostToCorruption(a.name, lost, lostMsg, false, path, where, got.records() > 0, String.valueOf(problem));
    }

    private @Nullable Path keepCopy(Path path, String app) {
        try {
            return quarantine.copy(path, app);
        } catch (IOException e) {
            log.warn("store: cannot copy {} to the quarantine: {}", path, e.getMessage());
            return null;
        }
    }

    /**
     * Counts records lost to corruption ({@code corrupt}, per app), logs where the damaged file went,
     * and queues a marker record for the app's own stream (G3), appended by the writer.
     */
    private void lostToCorruption(
            String app,
            long records,
            long messageBytes,
            boolean exact,
            Path file,
            @Nullable Path quarantined,
            boolean kept,
            String problem) {
        metrics.corrupt();
        String name = dir.relativize(file).toString();
        String where = quarantined == null
                ? (kept ? "no copy kept" : "deleted")
                : (kept ? "a copy is in " : "moved to ") + quarantine.describe(quarantined);
        if (records == 0) {
            log.warn("store: app {}: {}: cut damaged bytes holding no record ({}); {}", app, name, problem, where);
            return;
        }
        String count = (exact ? "" : "about ") + records + (records == 1 ? " record" : " records");
        log.error(
                "store: app {}: lost {} ({}{}) to corruption in {} ({}); {}",
                app,
                count,
                DataSize.human(messageBytes),
                exact ? "" : ", estimated",
                name,
                problem,
                where);
        drops.droppedMarked(app, "corrupt", records, messageBytes);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(DropLedger.MARKER_FIELD, DropLedger.MARKER_VALUE);
        fields.put("dropped_lines", Long.toString(records));
        fields.put("dropped_bytes", Long.toString(messageBytes));
        fields.put("reasons", "corrupt=" + records);
        fields.put("estimated", Boolean.toString(!exact));
        fields.put("file", name);
        if (quarantined != null) {
            fields.put("quarantine", quarantine.describe(quarantined));
        }
        String message = "spillway: lost " + count + " (" + DataSize.human(messageBytes) + ") to corruption in " + name
                + ", " + where;
        long now = clock.millis() * 1_000_000L;
        markers.add(new LogRecord(
                now,
                host,
                app,
                "spillway",
                LogStream.EVENT,
                Severity.WARNING,
                message.getBytes(StandardCharsets.UTF_8),
                fields));
    }

    /** Appends the loss markers found so far (at open, and by the writer when the seal thread found some). */
    private void appendMarkers() throws IOException {
        if (markers.isEmpty()) {
            return;
        }
        List<LogRecord> batch = new ArrayList<>();
        LogRecord m;
        while ((m = markers.poll()) != null) {
            batch.add(m);
        }
        append(batch);
    }

    /**
     * A query met a block that does not decompress or fails its CRC: the seal thread cuts the chunk's
     * damaged blocks out ({@link #repair}), unless it is busy with as many chunks as it takes.
     */
    private void corruptBlock(AppLog a, SealedChunk c) {
        if (closed || !repairing.add(c.path)) {
            return;
        }
        if (!sealer.tryRun(() -> repair(a, c))) {
            repairing.remove(c.path); // the next query that meets it asks again
        }
    }

    /**
     * On the seal thread: reads every block of a sealed chunk; if some are damaged, copies the file to
     * the quarantine and rewrites it without them (the good blocks keep their bytes and record
     * indexes, so cursors stay valid), or moves it there if none is readable. The records lost are
     * exact (the index holds each block's count); their message bytes are estimated.
     */
    private void repair(AppLog a, SealedChunk c) {
        try {
            if (!a.holds(c)) {
                return; // evicted, or already repaired (a query's older snapshot met the block again)
            }
            List<SealedChunk.Block> bad = c.damagedBlocks();
            if (bad.isEmpty()) {
                return;
            }
            long lost = 0;
            for (SealedChunk.Block b : bad) {
                lost += b.count();
            }
            long lostMsg = c.estimatedMessageBytes(bad);
            Path where;
            boolean kept = bad.size() < c.blocks.length;
            if (kept && !quarantine.mayWrite(c.fileSize * 2)) {
                // At min_free_space (G4) no rewrite: queries keep skipping the blocks; counted once
                // per start.
                if (countedInPlace.add(c.path)) {
                    lostToCorruption(
                            a.name,
                            lost,
                            lostMsg,
                            true,
                            c.path,
                            null,
                            true,
                            bad.size() + " damaged block(s), left in place at min_free_space");
                }
                return;
            }
            if (!kept) {
                if (!a.removeSealed(c)) {
                    return; // evicted meanwhile
                }
                total.addAndGet(-c.fileSize);
                where = quarantine.moveOrDelete(c.path, a.name);
            } else {
                where = keepCopy(c.path, a.name);
                Path tmp = c.path.resolveSibling(c.path.getFileName() + ".tmp");
                c.writeWithout(bad, tmp);
                SealedChunk r = a.replaceSealed(c, tmp);
                if (r == null) {
                    return; // evicted meanwhile
                }
                total.addAndGet(r.fileSize - c.fileSize);
                SealedChunk.forceDirectory(a.dir);
            }
            lostToCorruption(a.name, lost, lostMsg, true, c.path, where, kept, bad.size() + " damaged block(s)");
        } catch (IOException | RuntimeException e) {
            log.error("store: app {}: cannot cut the damaged blocks out of {}: {}", a.name, c.path, e.toString());
        } finally {
            repairing.remove(c.path);
        }
    }

    // ---------------------------------------------------------------- writing

    /** Appends one record; see {@link #append(List)}. */
    public void append(LogRecord r) throws IOException {
        append(List.of(r));
    }

    /**
     * Appends a batch, each record to its app's active chunk, and hands every record to the operating
     * system before returning; then applies the byte caps. Followers get the records after that.
     * Not durable against a host crash until {@link #sync}.
     */
    public void append(List<LogRecord> batch) throws IOException {
        synchronized (writeLock) {
            ensureOpen();
            if (!markers.isEmpty()) {
                List<LogRecord> withMarkers = new ArrayList<>();
                LogRecord m;
                while ((m = markers.poll()) != null) {
                    withMarkers.add(m);
                }
                withMarkers.addAll(batch);
                batch = withMarkers;
            }
            long now = clock.millis();
            List<AppLog> touched = new ArrayList<>();
            List<Runnable> handovers = new ArrayList<>(0);
            try {
                for (LogRecord r : batch) {
                    appendOne(r, now, touched, handovers);
                }
            } finally {
                for (AppLog a : touched) {
                    a.leaveBatch();
                    a.flushActiveToOs();
                    metrics.stored(a.name, a.batchRecords(), a.batchBytes());
                }
            }
            for (Runnable h : handovers) {
                h.run();
            }
            for (AppLog a : touched) {
                retention.capApp(a);
            }
            capTotal();
            if (now - lastMaintainMillis >= MAINTAIN_EVERY_MILLIS) {
                maintainLocked(now);
            }
        }
    }

    private void appendOne(LogRecord r, long now, List<AppLog> touched, List<Runnable> handovers) throws IOException {
        String name = AppNames.normalize(r.app());
        AppLog a = appFor(name);
        if (a == null) {
            a = appFor(OVERFLOW_APP);
            if (a == null) {
                throw new IllegalStateException("the overflow app must always be admitted");
            }
            Map<String, String> fields = new LinkedHashMap<>(r.fields());
            fields.put(OVERFLOW_FIELD, name);
            r = r.withFields(fields);
            name = OVERFLOW_APP;
        }
        byte[] message = r.messageBytes();
        if (message.length > maxMessage) {
            message = cut(message);
            metrics.truncated();
        }
        scratch.reset();
        RecordFormat.encode(r, message, scratch);
        AppLog.Appended at = a.append(scratch.array(), 0, scratch.size(), r.timestamp(), message.length, now);
        boolean listedNow = a.markListed();
        if (listedNow) {
            // once per app and batch, and again after a rotation or a close took the app out
            open.put(a, Boolean.TRUE);
            dirty.add(a);
        }
        if (a.joinBatch()) {
            touched.add(a);
        }
        total.addAndGet(at.grewBy());
        a.countInBatch(message.length);
        List<BoundedTail> followersOfApp = tails.get(name);
        if (followersOfApp != null && !followersOfApp.isEmpty()) {
            LogRecord stored = message == r.messageBytes() ? r : r.withMessage(message);
            if (!stored.app().equals(name)) {
                stored = stored.withApp(name);
            }
            StoredRecord sr = new StoredRecord(new Cursor(r.timestamp(), at.chunkId(), at.index()).encode(), stored);
            handovers.add(() -> {
                for (BoundedTail t2 : followersOfApp) {
                    t2.offer(sr);
                }
            });
        }
        if (sealer.full(at.chunkSize())) {
            rotate(a);
        }
        if (listedNow) {
            closeLeastRecentlyWritten();
        }
    }

    private byte[] cut(byte[] message) {
        byte[] mark = (" [spillway: truncated " + (message.length - maxMessage + 64) + " bytes]")
                .getBytes(StandardCharsets.UTF_8);
        int keep = maxMessage - 64;
        while (keep > 0 && (message[keep] & 0xC0) == 0x80) {
            keep--;
        }
        byte[] out = new byte[keep + mark.length];
        System.arraycopy(message, 0, out, 0, keep);
        System.arraycopy(mark, 0, out, keep, mark.length);
        return out;
    }

    /** The app's log, created if new; null if {@code max_apps} apps are held already. */
    private @Nullable AppLog appFor(String name) throws IOException {
        AppLog a = apps.get(name);
        if (a != null) {
            return a;
        }
        if (apps.size() >= maxApps && !name.equals(OVERFLOW_APP)) {
            forgetEmptyApps();
            if (apps.size() >= maxApps) {
                return null;
            }
        }
        Path appDir = dir.resolve(name);
        Files.createDirectories(appDir);
        a = new AppLog(name, appDir);
        apps.put(name, a);
        return a;
    }

    /** Forgets apps with nothing stored (their history was evicted) to make room for new ones. */
    private void forgetEmptyApps() {
        for (Iterator<AppLog> it = apps.values().iterator(); it.hasNext(); ) {
            AppLog a = it.next();
            if (a.bytes() == 0 && !a.name.equals(OVERFLOW_APP)) {
                it.remove();
                try {
                    Files.deleteIfExists(a.dir);
                } catch (IOException e) {
                    log.debug("store: could not remove empty directory {}: {}", a.dir, e.getMessage());
                }
            }
        }
    }

    private void closeLeastRecentlyWritten() throws IOException {
        while (open.size() > config.maxOpenFiles()) {
            Iterator<AppLog> it = open.keySet().iterator();
            AppLog eldest = it.next();
            it.remove();
            eldest.unlist();
            eldest.closeActiveChannel();
        }
    }

    /**
     * Takes the app's full active chunk out of writing and hands it to the {@link Sealer} (the next
     * record starts a new chunk), which waits while {@link Sealer#pendingSeals} chunks already wait
     * for compression, so unsealed bytes stay bounded. Caller holds writeLock.
     */
    private void rotate(AppLog a) throws IOException {
        ActiveChunk c = a.rotate();
        if (c == null) {
            return;
        }
        open.remove(a);
        dirty.remove(a);
        a.unlist();
        sealer.handOver(a, c);
    }

    /** Rotated chunks the next sync would look at (tests: bounded without syncs too). */
    int unforcedRotations() {
        synchronized (writeLock) {
            return sealer.unforcedCount();
        }
    }

    /** Waits until no chunk waits for the seal thread. */
    void awaitSeals() {
        sealer.awaitIdle();
    }

    /**
     * Waits for pending seals and applies the byte caps until nothing is left to do: what retention
     * converges to once the seal thread caught up (tests and benchmarks).
     */
    void settle() throws IOException {
        synchronized (writeLock) {
            for (int i = 0; i < 1000; i++) {
                awaitSeals();
                for (AppLog a : apps.values()) {
                    retention.capApp(a);
                }
                capTotal();
                if (!sealer.busy()) {
                    return;
                }
            }
        }
    }

    /** Applies {@code max_total}; rotates the heaviest app's active chunk if it has nothing sealed. */
    private void capTotal() throws IOException {
        retention.capTotal(apps.values(), this::rotate);
    }

    /**
     * Forces every record appended so far to disk. After it returns, those records survive a crash of
     * the host. The files are forced in parallel on {@code store-sync} threads.
     */
    public void sync() throws IOException {
        synchronized (writeLock) {
            List<Callable<Void>> forces = new ArrayList<>();
            List<AppLog> forced = new ArrayList<>();
            for (AppLog a : dirty) {
                FileChannel ch = a.flushActiveForSync();
                if (ch != null) {
                    forced.add(a);
                    forces.add(() -> {
                        ch.force(false);
                        return null;
                    });
                }
            }
            for (Path path : sealer.unforcedWaiting()) {
                forces.add(() -> {
                    forcePath(path);
                    return null;
                });
            }
            runForces(forces);
            for (AppLog a : forced) {
                a.activeSynced();
            }
            dirty.clear();
            sealer.forgetUnforced();
        }
    }

    /** Forces a chunk file by path; one sealed and deleted meanwhile needs nothing more. */
    private static void forcePath(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ch.force(false);
        } catch (NoSuchFileException e) {
            // sealed meanwhile: the sealed file was forced before this one was deleted
        }
    }

    /** Runs the forces, in parallel when there are several; throws the first failure. */
    private void runForces(List<Callable<Void>> forces) throws IOException {
        if (forces.size() == 1) {
            try {
                forces.get(0).call();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
            return;
        }
        if (forces.isEmpty()) {
            return;
        }
        List<Future<Void>> done;
        try {
            done = syncPool.invokeAll(forces);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("store " + dir + ": sync interrupted");
        }
        IOException first = null;
        for (Future<Void> f : done) {
            try {
                f.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (first == null) {
                    first = cause instanceof IOException io ? io : new IOException(cause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("store " + dir + ": sync interrupted");
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Seals active chunks older than {@code chunk_max_age}, deletes chunks older than {@code max_age}
     * and applies the byte caps. Called by the store output on each flush; cheap when nothing is due.
     */
    public void maintain() throws IOException {
        synchronized (writeLock) {
            ensureOpen();
            appendMarkers();
            long now = clock.millis();
            if (now - lastMaintainMillis >= MAINTAIN_EVERY_MILLIS) {
                maintainLocked(now);
            }
        }
    }

    private void maintainLocked(long now) throws IOException {
        lastMaintainMillis = now;
        for (AppLog a : apps.values()) {
            if (sealer.due(a, now)) {
                rotate(a);
            }
            sealer.retryFailed(a);
            retention.expire(a, now);
            retention.capApp(a);
        }
        capTotal();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("store " + dir + " is closed");
        }
    }

    /** Syncs and closes every chunk; followers are closed. Idempotent. */
    @Override
    public void close() throws IOException {
        synchronized (writeLock) {
            if (closed) {
                return;
            }
            closed = true;
            IOException first = null;
            // Pending seals finish (their chunks are durable either way: an unsealed .open is sealed at
            // the next open).
            sealer.shutdown();
            if (scanPool != null) {
                scanPool.close();
            }
            sealer.awaitStopped();
            if (!markers.isEmpty()) {
                // Loss markers the seal thread queued since the last write: appended before the files close.
                closed = false;
                try {
                    appendMarkers();
                } catch (IOException | RuntimeException e) {
                    log.warn("store: loss markers not appended at close (the losses are counted): {}", e.toString());
                } finally {
                    closed = true;
                }
            }
            for (AppLog a : apps.values()) {
                try {
                    a.closeActiveChannel();
                } catch (IOException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            // chunks whose seal did not finish are forced, so a clean close leaves nothing unforced
            for (Path path : sealer.unforced()) {
                try {
                    forcePath(path);
                } catch (IOException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            sealer.forgetUnforced();
            syncPool.shutdown();
            open.clear();
            dirty.clear();
            for (List<BoundedTail> list : tails.values()) {
                for (BoundedTail t : List.copyOf(list)) {
                    t.close();
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    // ---------------------------------------------------------------- reading

    @Override
    public List<AppSummary> apps() {
        long now = clock.millis();
        List<AppSummary> out = new ArrayList<>();
        for (AppLog a : apps.values()) {
            out.add(a.summary(now));
        }
        out.sort(Comparator.comparing(AppSummary::app));
        return out;
    }

    @Override
    public @Nullable AppSummary app(String app) {
        AppLog a = apps.get(AppNames.normalize(app));
        return a == null ? null : a.summary(clock.millis());
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the query's cursor is not one this store made
     */
    @Override
    public QueryResult query(Query query) {
        return query(query, scanPool, scanWindow);
    }

    /** A query decoding blocks ahead on {@code pool} (or, if null, each on the query thread) (tests). */
    QueryResult query(Query query, @Nullable ScanPool pool, int window) {
        Cursor cursor = query.cursor() == null ? null : Cursor.decode(query.cursor());
        AppLog a = apps.get(AppNames.normalize(query.app()));
        if (a == null) {
            metrics.query(null);
            return new QueryResult(List.of(), null, null, 0);
        }
        Budget budget = new Budget(
                ticker, config.queryTimeout().toNanos(), config.queryMaxScan().bytes());
        try {
            QueryResult r =
                    new QueryRun(a, query, cursor, budget, metrics, pool, window, c -> corruptBlock(a, c)).run();
            metrics.query(r.stoppedEarly());
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("store: query of app " + a.name + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if {@code max_followers} followers are active already
     */
    @Override
    public Tail follow(String app, @Nullable Filter filter) {
        String name = AppNames.normalize(app);
        if (followers.incrementAndGet() > config.maxFollowers()) {
            followers.decrementAndGet();
            throw new IllegalStateException("too many live followers: max_followers is " + config.maxFollowers());
        }
        CopyOnWriteArrayList<BoundedTail> list = tails.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>());
        BoundedTail[] self = new BoundedTail[1];
        BoundedTail t = new BoundedTail(
                config.tailQueue(),
                filter,
                ticker,
                config.queryTimeout().toNanos(),
                () -> {
                    list.remove(self[0]);
                    followers.decrementAndGet();
                },
                metrics::tailMissed);
        self[0] = t;
        list.add(t);
        return t;
    }
}
