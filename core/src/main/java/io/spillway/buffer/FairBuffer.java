package io.spillway.buffer;

import io.spillway.admission.Admission;
import io.spillway.admission.Drops;
import io.spillway.admission.Receipt;
import io.spillway.buffer.FairBufferConfig.Fsync;
import io.spillway.buffer.FairBufferConfig.Shed;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import io.spillway.space.DiskSpace;
import io.spillway.space.Reservation;
import io.spillway.space.SpaceAccountant;
import io.spillway.space.SpaceWriter;
import io.spillway.thread.NamedThreadFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fair, bounded, crash-safe buffer of one output (DESIGN.md §7; G1 bounded, G2 fair, G3 visible,
 * G4 floor, G5 durable when acknowledged).
 *
 * <h2>Design</h2>
 *
 * Each app has its own queue ({@link AppQueue}): a memory part (head), then, once the app spills, a
 * disk part of append-only segment files in {@code <dir>/<app>/}, then a second memory part (tail).
 * Records of an app always leave in the order they arrived: head, disk, tail. Once an app spills, its
 * new records follow on disk until the disk part drains: its tail is its write buffer, flushed to disk
 * in batches of {@value #SPILL_BATCH_BYTES} bytes, and holds more only while the disk can take
 * nothing. The tail becomes the head when the disk part has been delivered.
 *
 * <ul>
 *   <li><b>Budgets.</b> {@code memory} bounds the {@link LogRecord#sizeBytes()} of records held in
 *       memory (in flight included); {@code disk} bounds the bytes of segment files; nothing is
 *       written that would take the spill filesystem's free space below {@code floor}: every write
 *       reserves its bytes with the node's {@link SpaceAccountant} first, which also counts what the
 *       other writers on that filesystem claimed.
 *   <li><b>Enqueue.</b> A record goes to memory (the head, or the tail of a spilling app) while memory
 *       has room. When memory is full, the app holding the most memory (not {@code _spillway}) moves
 *       at least {@value #SPILL_BATCH_BYTES} bytes of its memory records to disk (the newest of its
 *       head, or the oldest of its tail), and a spilling app's record goes straight to disk. When
 *       neither memory nor disk can take the record, the buffer sheds: the holdings (memory + disk) of
 *       all apps, the offering app counted with its record, are water-filled over the bytes in use
 *       ({@link WaterFilling}). If the offering app is the heaviest or above its share, its record is
 *       refused ({@code shed: newest}) or the heaviest app's oldest records make room ({@code shed:
 *       oldest}); otherwise the heaviest app, which is then above its share, loses its newest (or
 *       oldest) records until the record fits. An app at or below its share thus loses nothing while
 *       an app above its share has records that can be shed (records in flight cannot).
 *       {@code _spillway} is never shed while another app can be: its own records take room from the
 *       heaviest other app whatever that app's share.
 *   <li><b>Shedding granularity.</b> Memory records are shed one by one; on disk, whole segments none
 *       of whose records were handed out. Every shed record is reported to {@link Drops} with reason
 *       {@code shed}; a record refused because the floor blocked the disk, with {@code floor}; a record
 *       larger than the memory budget, with {@code too_large}; records of a batch found corrupt while
 *       delivering, with {@code corrupt}; records that could not be persisted at close, with {@code
 *       shutdown}.
 *   <li><b>Dequeue.</b> {@code _spillway} first, then deficit round robin over the other apps with the
 *       byte {@code quantum} ({@link DeficitRoundRobin}). A batch stays accounted until {@link #commit};
 *       {@link #release} makes the next {@link #poll} return the very same batch.
 *   <li><b>Durability.</b> Records offered with {@link #offerDurable} are written to their app's disk
 *       part before the callback: under {@code fsync: always} the segment is also forced before it,
 *       so they survive power loss; under {@code interval} they are in the kernel when acknowledged
 *       (they survive {@code kill -9}) and forced within {@code fsync_interval} (power loss can take
 *       the last interval); under {@code never}, or with {@code disk: 0}, they are held like any
 *       record, in memory, and the receipt says {@code durable = false}; so does a receipt when the
 *       disk could not take a record (budget, floor, I/O error), which is then held in memory.
 *       Records offered with {@link #offer} are in memory until spilled; memory records (write
 *       buffers included) are lost on {@code kill -9}, and persisted to disk (within the disk budget
 *       and floor, quiet apps first) by {@link #close}.
 *   <li><b>Recovery</b> ({@link BufferRecovery}). The constructor scans
 *       {@code <dir>/*}{@code /*.seg}, keeps every valid batch (CRC32C) of each segment,
 *       resynchronising past damage so that a garbled batch costs only itself ({@link
 *       Segment#recover}), counts the bytes cut, reports the records lost to {@link Drops} with reason
 *       {@code corrupt} against the segment's app (exact where the damaged batches' headers survived,
 *       else estimated, and logged as such), keeps the damaged bytes in
 *       {@code <dir>/quarantine/<app>/} ({@link Quarantine}: at most 32 files and a quarter of {@code disk}),
 *       and resumes delivery of everything found, in order per app. After a crash, the delivered
 *       records of a partly delivered segment come again (at-least-once); {@link #close} rewrites such
 *       a segment without them, so a clean restart delivers nothing twice.
 *   <li><b>App table.</b> At most {@code max_apps} apps have their own queue at a time (an app's queue
 *       disappears when it holds nothing); records of further apps share the queue {@code _other}.
 * </ul>
 *
 * <h2>Invariants</h2>
 *
 * {@code memoryUsed = Σ app.memoryBytes() ≤ memory}; {@code disk.bytes = Σ app.diskBytes() ≤ disk}
 * (except after a restart with a smaller budget); {@code records}, {@code bytes} and {@code sendable}
 * equal the sums over the apps; every record accepted is delivered, shed (and reported) or persisted.
 *
 * <h2>Thread-safety</h2>
 *
 * Many producers, one consumer (the output worker). One lock guards everything; spill I/O (page-cache
 * writes, and forcing under {@code fsync: always}) happens under it on the offering thread, which
 * keeps ordering simple at the cost of making concurrent offers wait for a spill. Reads of disk parts
 * happen under it on the polling thread. Forcing under {@code fsync: interval} runs on the thread
 * {@code buffer-fsync-NAME}, outside the lock. The gauges and counters are in {@link BufferMetrics}:
 * the gauges are set under the lock, the counters are thread-safe (the fsync thread counts its errors
 * without the lock).
 */
public final class FairBuffer implements Buffer {
    private static final Logger log = LoggerFactory.getLogger(FairBuffer.class);

    /** Records move to disk in batches of about this size: large enough to amortise a write and a CRC. */
    static final int SPILL_BATCH_BYTES = 64 * 1024;

    /** The queue shared by apps beyond {@code max_apps}; the same name the drop ledger uses. */
    public static final String OTHER_APPS = AppNames.OTHER;

    /** Per-app figures for the API and dashboard. */
    public record AppUsage(long memoryBytes, long diskBytes, long records, long fairShare) {}

    private final String name;
    private final FairBufferConfig config;
    private final Path dir;
    private final Drops drops;
    private final SpaceWriter space;
    private final long memoryBudget;
    private final long diskBudget;
    private final long segmentSize;
    private final boolean diskEnabled;
    private final boolean shedNewest;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final HashMap<String, AppQueue> apps = new HashMap<>();
    private final DeficitRoundRobin<AppQueue> drr;
    private final SpillLog.DiskUsage disk = new SpillLog.DiskUsage();
    private final Quarantine quarantine;
    private final List<AppQueue> inBatch = new ArrayList<>();
    private final LinkedHashSet<Segment> dirty = new LinkedHashSet<>();

    private long memoryUsed;
    private long records;
    private long bytes;
    private long sendable;
    private @Nullable Batch outstanding;
    private @Nullable Batch retry;
    private boolean closed;
    /** Set by {@link #diskRoom} when the floor, not the budget, limited the room. */
    private boolean floorLimited;

    private final @Nullable Thread syncer;
    private volatile boolean syncing = true;
    /** Successful segment fsyncs so far; lets tests see that an acknowledgement followed a sync. */
    private final AtomicLong forced = new AtomicLong();

    private final BufferMetrics metrics;

    /** A buffer on the real filesystem of {@code dir}, with a space accountant of its own. */
    public FairBuffer(String name, FairBufferConfig config, Path dir, Drops drops, Metrics metrics) throws IOException {
        this(name, config, dir, drops, metrics, (DiskSpace) null);
    }

    /**
     * A buffer with a space accountant of its own that measures {@code diskSpace} before every
     * reservation (tests simulate a filling disk with it; null for the real filesystem of {@code dir}).
     */
    public FairBuffer(
            String name, FairBufferConfig config, Path dir, Drops drops, Metrics metrics, @Nullable DiskSpace diskSpace)
            throws IOException {
        this(
                name,
                config,
                dir,
                drops,
                metrics,
                SpaceAccountant.standalone(
                        "buffer", dir, config.minFreeSpace(), FairBufferConfig.MIN_FREE_SPACE_KEY, diskSpace));
    }

    /**
     * A buffer for output {@code name}, spilling to {@code dir} ({@code <data_dir>/buffer/<output>},
     * created if missing unless {@code disk} is 0), recovering what an earlier run left there.
     *
     * @param space the writer through which every spill write reserves its bytes (G4), registered
     *     with the node's space accountant with this buffer's {@code floor}
     * @throws IOException when {@code dir} cannot be created or listed
     */
    public FairBuffer(String name, FairBufferConfig config, Path dir, Drops drops, Metrics metrics, SpaceWriter space)
            throws IOException {
        this.name = name;
        this.config = config;
        this.dir = dir;
        this.drops = drops;
        this.memoryBudget = config.memory().bytes();
        this.diskBudget = config.disk().bytes();
        this.segmentSize = config.segmentSize().bytes();
        this.diskEnabled = diskBudget > 0;
        this.shedNewest = config.shed() == Shed.NEWEST;
        this.drr = new DeficitRoundRobin<>(config.quantum().bytes());
        this.space = space;
        this.quarantine = new Quarantine(dir, diskBudget / 4, this::floorAllows);

        this.metrics = new BufferMetrics(metrics, name);

        if (diskEnabled) {
            Files.createDirectories(dir);
            new BufferRecovery(name, dir, quarantine, drops, this.metrics, disk).run(this::adopt);
        }
        publish();
        if (diskEnabled && config.fsync() == Fsync.INTERVAL) {
            syncer = NamedThreadFactory.daemon("buffer-fsync-" + name).start(this::syncLoop);
        } else {
            syncer = null;
        }
    }

    public String name() {
        return name;
    }

    public FairBufferConfig config() {
        return config;
    }

    // ---------------------------------------------------------------------------------------------
    // Enqueue

    @Override
    public Admission offer(LogRecord record) {
        long size = record.sizeBytes();
        if (size > memoryBudget) {
            return refuse(record, "too_large");
        }
        lock.lock();
        try {
            if (closed) {
                return refuse(record, "shutdown");
            }
            Admission a = admit(queueFor(record.app()), record, size);
            if (config.fsync() == Fsync.ALWAYS && !dirty.isEmpty()) {
                syncDirty();
            }
            publish();
            return a;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: with a disk budget and {@code fsync: always|interval}, accepted records are written to
     * their apps' disk parts before {@code onDurable} runs (forced first under {@code always}), on the
     * calling thread before this method returns. A record the disk cannot take (budget, floor, I/O
     * error) is admitted to memory like any other, and the receipt says {@code durable = false}.
     */
    @Override
    public void offerDurable(List<LogRecord> batch, Consumer<Receipt> onDurable) {
        if (!diskEnabled || config.fsync() == Fsync.NEVER) {
            Buffer.super.offerDurable(batch, onDurable);
            return;
        }
        Admission[] admissions = new Admission[batch.size()];
        boolean durable = true;
        lock.lock();
        try {
            // Per app, in order: one write per batch of records rather than per record.
            Map<String, List<Integer>> byApp = new LinkedHashMap<>();
            for (int i = 0; i < batch.size(); i++) {
                LogRecord r = batch.get(i);
                if (r.sizeBytes() > memoryBudget) {
                    admissions[i] = refuse(r, "too_large");
                } else if (closed) {
                    admissions[i] = refuse(r, "shutdown");
                } else {
                    byApp.computeIfAbsent(r.app(), k -> new ArrayList<>()).add(i);
                }
            }
            for (List<Integer> indexes : byApp.values()) {
                List<LogRecord> records = new ArrayList<>(indexes.size());
                for (int i : indexes) {
                    records.add(batch.get(i));
                }
                AppQueue q = queueFor(records.get(0).app());
                int written = 0;
                // The app's memory tail (newer than its disk part) goes first, to keep its order.
                if (q.tail.isEmpty() || (spillMove(q, q.tailBytes) && q.tail.isEmpty())) {
                    written = writeAll(spillOf(q), records);
                }
                for (int k = 0; k < records.size(); k++) {
                    LogRecord r = records.get(k);
                    if (k < written) {
                        accepted(q, r.sizeBytes());
                        admissions[indexes.get(k)] = Admission.ACCEPTED;
                    } else {
                        Admission a = admit(q, r, r.sizeBytes());
                        admissions[indexes.get(k)] = a;
                        if (a.accepted()) {
                            durable = false;
                        }
                    }
                }
            }
            if (config.fsync() == Fsync.ALWAYS && !dirty.isEmpty()) {
                durable &= syncDirty();
            }
            publish();
        } finally {
            lock.unlock();
        }
        onDurable.accept(new Receipt(List.of(admissions), durable));
    }

    private Admission refuse(LogRecord r, String reason) {
        drops.dropped(r.app(), reason, 1, r.messageLength());
        return Admission.dropped(reason);
    }

    private AppQueue queueFor(String app) {
        AppQueue q = apps.get(app);
        if (q != null) {
            return q;
        }
        String key = app;
        if (apps.size() >= config.maxApps()) {
            key = OTHER_APPS;
            q = apps.get(key);
            if (q != null) {
                return q;
            }
        }
        q = new AppQueue(key, this::lost);
        apps.put(key, q);
        return q;
    }

    /** Places the record, shedding per the fairness rules when nothing can take it. */
    private Admission admit(AppQueue q, LogRecord r, long size) {
        boolean floorHit = false;
        while (true) {
            if (place(q, r, size)) {
                return Admission.ACCEPTED;
            }
            floorHit |= floorLimited;
            if (!shedFor(q, size, !floorHit)) {
                forgetIfEmpty(q);
                return refuse(r, floorHit ? "floor" : "shed");
            }
        }
    }

    /** Puts the record in its app's queue if memory or disk can take it, spilling another app if needed. */
    private boolean place(AppQueue q, LogRecord r, long size) {
        floorLimited = false;
        for (int attempt = 0; attempt < 2; attempt++) {
            if (memoryUsed + size <= memoryBudget) {
                addToMemory(q, r, size);
                if (q.spilling() && q.tailBytes >= SPILL_BATCH_BYTES) {
                    // A spilling app's tail is its write buffer: its records reach disk in whole
                    // batches, one write and one CRC per batch instead of per record.
                    spillMove(q, q.tailBytes);
                }
                return true;
            }
            if (q.spilling() && q.tail.isEmpty() && appendToDisk(q, r, size)) {
                return true;
            }
            if (!diskEnabled || attempt > 0) {
                return false;
            }
            AppQueue x = heaviestInMemory();
            if (x == null || !spillMove(x, size - (memoryBudget - memoryUsed))) {
                // Memory full and nothing can move: the record itself may still go to disk.
                return q.tail.isEmpty() && appendToDisk(q, r, size);
            }
        }
        return false;
    }

    private void addToMemory(AppQueue q, LogRecord r, long size) {
        q.addToMemory(r, size);
        memoryUsed += size;
        accepted(q, size);
    }

    private void accepted(AppQueue q, long size) {
        q.held(1, size);
        records++;
        bytes += size;
        sendable++;
        if (!q.key.equals(AppNames.SPILLWAY)) {
            drr.activate(q);
        }
        notEmpty.signal();
    }

    private boolean appendToDisk(AppQueue q, LogRecord r, long size) {
        if (!diskEnabled) {
            return false;
        }
        ByteBuffer batch = Segment.encodeBatch(List.of(RecordCodec.encode(r)));
        SpillLog log = spillOf(q);
        if (!write(log, batch, 1, size, r.messageLength())) {
            return false;
        }
        accepted(q, size);
        return true;
    }

    private SpillLog spillOf(AppQueue q) {
        return q.spillLog(dir, disk);
    }

    /**
     * Writes one batch if the budget and the floor allow it; false (and nothing written) otherwise.
     * The floor is held by reserving the batch's bytes with the space accountant before writing.
     */
    private boolean write(SpillLog log, ByteBuffer batch, int count, long recBytes, long msgBytes) {
        long cost = log.appendCost(batch.remaining(), segmentSize);
        if (cost > budgetRoom()) {
            return false;
        }
        Reservation room = reserve(cost);
        if (!room.granted()) {
            return false;
        }
        long before = log.fileBytes();
        try {
            Segment s = log.append(batch, count, recBytes, msgBytes, segmentSize);
            if (config.fsync() != Fsync.NEVER) {
                dirty.add(s);
            }
        } catch (IOException e) {
            room.cancel();
            metrics.ioError();
            FairBuffer.log.error("buffer {}: cannot write spill segment in {}: {}", name, log.dir, e.toString());
            return false;
        }
        room.written(log.fileBytes() - before);
        metrics.spilled(count, log.fileBytes() - before);
        return true;
    }

    /**
     * Whether writing {@code bytes} more keeps the spill filesystem above the floor (recovery's
     * copies into the quarantine and rewritten segments): claimed with the space accountant as
     * written, since the copy follows at once (the claim counts until the next measurement).
     */
    private boolean floorAllows(long bytes) {
        Reservation r = space.reserve(bytes);
        if (!r.granted()) {
            return false;
        }
        r.written(bytes);
        return true;
    }

    /** Reserves {@code bytes} of the spill filesystem; a refusal sets {@link #floorLimited}. */
    private Reservation reserve(long bytes) {
        Reservation r = space.reserve(bytes);
        if (!r.granted()) {
            floorLimited = true;
            metrics.belowFloor(true);
        }
        return r;
    }

    /** The disk budget's room, regardless of the floor. */
    private long budgetRoom() {
        return diskEnabled ? Math.max(0, diskBudget - disk.bytes) : 0;
    }

    /**
     * Bytes the disk may still take: the budget's room, limited by what the space accountant says the
     * floor leaves (G4; measured at a bounded rate, less what every writer on the filesystem claimed
     * since). Only sizes batches: each write still reserves its bytes, and a refusal is what counts.
     */
    private long diskRoom() {
        long budgetRoom = budgetRoom();
        if (budgetRoom <= 0) {
            return 0;
        }
        long floorRoom = space.room();
        if (floorRoom > 0) {
            metrics.belowFloor(false);
        }
        if (floorRoom < budgetRoom) {
            floorLimited = true;
            return floorRoom;
        }
        return budgetRoom;
    }

    /** The app with the most memory records {@link #spillMove} can move, never {@code _spillway}. */
    private @Nullable AppQueue heaviestInMemory() {
        AppQueue best = null;
        long max = 0;
        for (AppQueue q : apps.values()) {
            // What spillMove can move: a spilling app's head is older than its disk part and stays.
            long movable = q.spilling() ? q.tailBytes : q.headBytes;
            if (movable > max && !q.key.equals(AppNames.SPILLWAY)) {
                max = movable;
                best = q;
            }
        }
        return best;
    }

    /**
     * Moves at least {@code need} bytes (and about {@value #SPILL_BATCH_BYTES} at least) of {@code x}'s
     * memory records to its disk part, keeping its order: the newest of {@code head} when it does not
     * spill yet, else the oldest of {@code tail}. Returns false when nothing moved.
     */
    private boolean spillMove(AppQueue x, long need) {
        if (diskRoom() <= Segment.BATCH_HEADER_BYTES) {
            if (floorLimited && budgetRoom() > Segment.BATCH_HEADER_BYTES) {
                // The floor, not the budget, stops the spill: ask, so that the refusal is counted,
                // logged and raised like any other (and granted if space came back since).
                Reservation probe = reserve(Math.max(need, SPILL_BATCH_BYTES));
                if (!probe.granted()) {
                    return false;
                }
                probe.cancel();
            } else {
                return false;
            }
        }
        List<LogRecord> moving = x.takeForSpill(Math.max(need, SPILL_BATCH_BYTES));
        int written = writeAll(spillOf(x), moving);
        long movingBytes = 0;
        long movedBytes = 0;
        for (int i = 0; i < moving.size(); i++) {
            movingBytes += moving.get(i).sizeBytes();
            if (i < written) {
                movedBytes += moving.get(i).sizeBytes();
            }
        }
        memoryUsed -= movedBytes;
        // Put back what did not fit, where it keeps the order: after the disk part if one exists now.
        x.putBackUnspilled(moving.subList(written, moving.size()), movingBytes - movedBytes);
        if (written > 0 && !x.key.equals(AppNames.SPILLWAY)) {
            // Moving a spilling app's tail to disk makes records deliverable that were not: the tail
            // is never handed out, so the round robin may have dropped the app while only its tail
            // was left (its disk part all in flight). Without this its records would stay
            // accounted but never be polled again.
            drr.activate(x);
            notEmpty.signal();
        }
        return written > 0;
    }

    /** Writes records in order in batches of about {@value #SPILL_BATCH_BYTES}; returns how many were written. */
    private int writeAll(SpillLog log, List<LogRecord> list) {
        int written = 0;
        while (written < list.size()) {
            // A batch fits one segment and the room left (budget and floor), so a small disk budget
            // or segment size still takes records, in smaller batches.
            long limit = Math.min(SPILL_BATCH_BYTES, segmentSize - Segment.HEADER_BYTES);
            PendingBatch b = nextBatch(list, written, Math.min(limit, diskRoom() - Segment.HEADER_BYTES));
            if (!write(log, b.bytes, b.count, b.recordBytes, b.messageBytes)) {
                break;
            }
            written += b.count;
        }
        return written;
    }

    /** Records encoded as one batch. */
    private record PendingBatch(ByteBuffer bytes, int count, long recordBytes, long messageBytes) {}

    /** Encodes records from {@code list[from]} on into one batch of at most {@code limit} bytes, or one record. */
    private static PendingBatch nextBatch(List<LogRecord> list, int from, long limit) {
        List<byte[]> encoded = new ArrayList<>();
        long batchBytes = Segment.BATCH_HEADER_BYTES;
        long recBytes = 0;
        long msgBytes = 0;
        for (int j = from; j < list.size(); j++) {
            LogRecord r = list.get(j);
            byte[] e = RecordCodec.encode(r);
            long add = RecordCodec.varintSize(e.length) + e.length;
            if (!encoded.isEmpty() && batchBytes + add > limit) {
                break;
            }
            encoded.add(e);
            batchBytes += add;
            recBytes += r.sizeBytes();
            msgBytes += r.messageLength();
        }
        return new PendingBatch(Segment.encodeBatch(encoded), encoded.size(), recBytes, msgBytes);
    }

    // ---------------------------------------------------------------------------------------------
    // Shedding

    /**
     * Frees room for a record of {@code size} offered to {@code q}, by the fairness rules in the class
     * comment. False when {@code q}'s record must be refused instead.
     */
    private boolean shedFor(AppQueue q, long size, boolean diskUsable) {
        boolean events = q.key.equals(AppNames.SPILLWAY);
        int n = apps.size();
        long[] holdings = new long[n];
        int i = 0;
        AppQueue heaviest = null;
        long max = -1;
        for (AppQueue a : apps.values()) {
            long h = a.holding() + (a == q ? size : 0);
            holdings[i++] = h;
            if (h > max && !a.key.equals(AppNames.SPILLWAY) && sheddable(a, diskUsable)) {
                max = h;
                heaviest = a;
            }
        }
        AppQueue victim;
        if (events) {
            // Spillway's own events first: any other app gives way, whatever its share; only when
            // none can, its oldest events make room for newer ones (shed: oldest).
            victim = heaviest != null ? heaviest : shedNewest || !sheddable(q, diskUsable) ? null : q;
        } else if (heaviest == null) {
            // Only _spillway holds anything sheddable: it gives way to an app within its share.
            AppQueue sp = apps.get(AppNames.SPILLWAY);
            long capacity = memoryUsed + disk.bytes;
            boolean within = !WaterFilling.above(capacity, holdings, n, q.holding() + size);
            victim = sp != null && within && sheddable(sp, diskUsable) ? sp : null;
        } else {
            long capacity = memoryUsed + disk.bytes;
            boolean offeringAbove = heaviest == q || WaterFilling.above(capacity, holdings, n, q.holding() + size);
            if (offeringAbove) {
                // shed: newest refuses the record; shed: oldest makes room from the heaviest's oldest.
                victim = shedNewest ? null : heaviest;
            } else {
                // Within its share: room comes from the heaviest app, if that one is above its share.
                victim = WaterFilling.above(capacity, holdings, n, max) ? heaviest : null;
            }
        }
        if (victim == null) {
            return false;
        }
        long freed = shedFrom(victim, size, diskUsable);
        if (victim != q) {
            forgetIfEmpty(victim);
        }
        return freed > 0;
    }

    private boolean sheddable(AppQueue a, boolean diskUsable) {
        if (a.headBytes + a.tailBytes > 0) {
            return true;
        }
        SpillLog s = a.spill;
        return diskUsable && s != null && s.sheddable(shedNewest) != null;
    }

    /** Sheds at least {@code size} bytes from one part of the victim's queue; returns the bytes freed. */
    private long shedFrom(AppQueue v, long size, boolean diskUsable) {
        long freed;
        if (shedNewest) {
            freed = shedMemory(v, false, false, size);
            if (freed == 0 && diskUsable) {
                freed = shedSegment(v);
            }
            if (freed == 0) {
                freed = shedMemory(v, true, false, size);
            }
        } else {
            freed = shedMemory(v, true, true, size);
            if (freed == 0 && diskUsable) {
                freed = shedSegment(v);
            }
            if (freed == 0) {
                freed = shedMemory(v, false, true, size);
            }
        }
        return freed;
    }

    /** Sheds memory records of the head or the tail of {@code v}; see {@link AppQueue#shedMemory}. */
    private long shedMemory(AppQueue v, boolean fromHead, boolean oldest, long size) {
        long freed = 0;
        long count = 0;
        String runApp = null;
        long runRecords = 0;
        long runBytes = 0;
        // Reported in runs of one app: the shared queue _other holds records of several apps.
        for (LogRecord r : v.shedMemory(fromHead, oldest, size)) {
            freed += r.sizeBytes();
            count++;
            if (!r.app().equals(runApp)) {
                if (runApp != null) {
                    drops.dropped(runApp, "shed", runRecords, runBytes);
                }
                runApp = r.app();
                runRecords = 0;
                runBytes = 0;
            }
            runRecords++;
            runBytes += r.messageLength();
        }
        if (runApp != null) {
            drops.dropped(runApp, "shed", runRecords, runBytes);
        }
        memoryUsed -= freed;
        gone(v, count, freed);
        return freed;
    }

    private long shedSegment(AppQueue v) {
        SpillLog s = v.spill;
        if (s == null) {
            return 0;
        }
        Segment seg = s.sheddable(shedNewest);
        if (seg == null) {
            return 0;
        }
        long n = seg.records;
        long rb = seg.recordBytes;
        long mb = seg.messageBytes;
        long freed = s.shed(seg);
        drops.dropped(v.key, "shed", n, mb);
        gone(v, n, rb);
        afterDiskChange(v);
        return freed;
    }

    /** Records left the queue without being delivered (shed or lost). */
    private void gone(AppQueue v, long n, long recBytes) {
        v.gone(n, recBytes);
        records -= n;
        bytes -= recBytes;
        sendable -= n;
    }

    /**
     * A corrupt batch met while delivering: its records are lost (exactly counted, see {@link
     * Segment#skipDamage}), and a copy of the segment goes to the quarantine.
     */
    private void lost(AppQueue v, long n, long recBytes, long msgBytes, Path file, String problem) {
        metrics.ioError();
        String where;
        try {
            where = quarantine.describe(quarantine.copy(file, AppNames.normalize(v.key)));
        } catch (IOException e) {
            where = "not quarantined: " + e;
        }
        log.error(
                "buffer {}: lost {} records of app {} ({}) to corruption in {}: {}; a copy is in {}",
                name,
                n,
                v.key,
                DataSize.human(msgBytes),
                file,
                problem,
                where);
        drops.dropped(v.key, "corrupt", n, msgBytes);
        gone(v, n, recBytes);
        afterDiskChange(v);
        forgetIfEmpty(v);
    }

    /** When the disk part drained, the app's second memory part becomes its first. */
    private void afterDiskChange(AppQueue v) {
        if (v.tailBecomesHead()) {
            if (!v.key.equals(AppNames.SPILLWAY)) {
                drr.activate(v);
            }
            notEmpty.signal();
        }
    }

    private void forgetIfEmpty(AppQueue v) {
        if (v.empty() && apps.get(v.key) == v) {
            apps.remove(v.key);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Dequeue

    @Override
    public @Nullable Batch poll(int maxRecords, long maxBytes, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lockInterruptibly();
        try {
            while (true) {
                if (outstanding == null) {
                    Batch again = retry;
                    if (again != null) {
                        retry = null;
                        outstanding = again;
                        return again;
                    }
                    if (sendable > 0) {
                        Batch b = take(Math.max(1, maxRecords), maxBytes);
                        publish();
                        if (b != null) {
                            outstanding = b;
                            return b;
                        }
                    }
                }
                if (closed) {
                    return null;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                notEmpty.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private @Nullable Batch take(int maxRecords, long maxBytes) {
        List<LogRecord> out = new ArrayList<>(Math.min(maxRecords, 1024));
        long taken = 0;
        AppQueue sp = apps.get(AppNames.SPILLWAY);
        if (sp != null) {
            while (out.size() < maxRecords) {
                LogRecord r = sp.peek();
                if (r == null) {
                    break;
                }
                long size = r.sizeBytes();
                if (!out.isEmpty() && taken + size > maxBytes) {
                    return new Batch(out, taken);
                }
                takeFrom(sp, r, size);
                out.add(r);
                taken += size;
            }
            sp.turnEnded();
        }
        while (out.size() < maxRecords) {
            AppQueue q = drr.next();
            if (q == null) {
                break;
            }
            LogRecord r = q.peek();
            if (r == null) {
                continue;
            }
            long size = r.sizeBytes();
            if (!out.isEmpty() && taken + size > maxBytes) {
                break;
            }
            takeFrom(q, r, size);
            drr.taken(q, size);
            out.add(r);
            taken += size;
        }
        return out.isEmpty() ? null : new Batch(out, taken);
    }

    /** Moves the peeked record {@code r} of {@code q} into flight. */
    private void takeFrom(AppQueue q, LogRecord r, long size) {
        boolean firstInBatch = q.handOut(r, size);
        sendable--;
        if (firstInBatch) {
            inBatch.add(q);
        }
    }

    @Override
    public void commit(Batch batch) {
        lock.lock();
        try {
            if (closed && outstanding == null) {
                return;
            }
            requireOutstanding(batch);
            for (AppQueue q : inBatch) {
                memoryUsed -= q.flightMemoryBytes;
                records -= q.flightRecords;
                bytes -= q.flightRecordBytes;
                q.committed();
                afterDiskChange(q);
                forgetIfEmpty(q);
            }
            inBatch.clear();
            outstanding = null;
            publish();
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void release(Batch batch) {
        lock.lock();
        try {
            if (closed && outstanding == null) {
                return;
            }
            requireOutstanding(batch);
            outstanding = null;
            retry = batch;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    private void requireOutstanding(Batch batch) {
        if (outstanding != batch) {
            throw new IllegalStateException("batch is not the outstanding batch of buffer " + name);
        }
    }

    @Override
    public long records() {
        lock.lock();
        try {
            return records;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of records held in memory (in flight included). */
    public long memoryBytes() {
        lock.lock();
        try {
            return memoryUsed;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of spill segment files on disk. */
    public long diskBytes() {
        lock.lock();
        try {
            return disk.bytes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Per-app figures: memory and disk bytes, records, and the app's max-min fair share of the whole
     * budget (memory + disk) given what every app holds now. Sorted by app.
     */
    public Map<String, AppUsage> snapshot() {
        lock.lock();
        try {
            long[] holdings = new long[apps.size()];
            int i = 0;
            for (AppQueue q : apps.values()) {
                holdings[i++] = q.holding();
            }
            long share = WaterFilling.share(memoryBudget + diskBudget, holdings, holdings.length);
            Map<String, AppUsage> out = new TreeMap<>();
            for (AppQueue q : apps.values()) {
                out.put(q.key, new AppUsage(q.memoryBytes(), q.diskBytes(), q.records, share));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    private void publish() {
        metrics.publish(memoryUsed, disk.bytes, apps.size(), records);
    }

    // ---------------------------------------------------------------------------------------------
    // Durability

    /** Forces segments written since the last sync; under the lock for {@code always}. True if all succeeded. */
    private boolean syncDirty() {
        List<Segment> todo = new ArrayList<>(dirty);
        dirty.clear();
        return force(todo);
    }

    private boolean force(List<Segment> todo) {
        boolean ok = true;
        for (Segment s : todo) {
            try {
                s.force();
                forced.incrementAndGet();
                s.forceDirectoriesOnce(dir);
            } catch (ClosedChannelException e) {
                // Deleted (delivered or shed) since it was written: nothing left to force.
            } catch (IOException e) {
                ok = false;
                metrics.ioError();
                log.error("buffer {}: cannot fsync {}: {}", name, s.path, e.toString());
            }
        }
        return ok;
    }

    /** Forces everything written so far ({@code fsync: interval} does this every {@code fsync_interval}). */
    public void sync() {
        List<Segment> todo;
        lock.lock();
        try {
            todo = new ArrayList<>(dirty);
            dirty.clear();
        } finally {
            lock.unlock();
        }
        force(todo);
    }

    /** How many segment fsyncs succeeded so far. */
    long forcedSegments() {
        return forced.get();
    }

    private void syncLoop() {
        long interval = config.fsyncInterval().toNanos();
        while (syncing) {
            LockSupport.parkNanos(this, interval);
            try {
                sync();
            } catch (RuntimeException e) {
                log.error("buffer {}: fsync loop failed, continuing", name, e);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Recovery (BufferRecovery reads the segments back) and close

    /**
     * Takes a segment recovery found into {@code key}'s queue (or {@code _other}, beyond {@code
     * max_apps}), its records accounted as accepted and sendable. Called per segment: during
     * recovery the app table only grows, so every segment of one app directory lands in one queue.
     */
    private void adopt(String key, Segment s) {
        AppQueue q = queueFor(key);
        spillOf(q).addRecovered(s);
        q.held(s.records, s.recordBytes);
        records += s.records;
        bytes += s.recordBytes;
        sendable += s.records;
        if (!q.key.equals(AppNames.SPILLWAY)) {
            drr.activate(q);
        }
    }

    /**
     * Stops the buffer: memory records (a batch in flight first, then each app's oldest) are written
     * to disk, within the disk budget and the floor, quiet apps first; what does not fit is reported
     * as dropped ({@code shutdown}). Files are forced unless {@code fsync: never}. Polls return null
     * and offers are refused from now on.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            List<AppQueue> order = new ArrayList<>(apps.values());
            order.sort(Comparator.comparing((AppQueue q) -> !q.key.equals(AppNames.SPILLWAY))
                    .thenComparingLong(AppQueue::holding));
            for (AppQueue q : order) {
                persist(q);
            }
            for (AppQueue q : order) {
                SpillLog s = q.spill;
                if (s != null) {
                    s.closeAll(config.fsync() != Fsync.NEVER);
                }
            }
            dirty.clear();
            notEmpty.signalAll();
            publish();
        } finally {
            lock.unlock();
        }
        syncing = false;
        Thread t = syncer;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void persist(AppQueue q) {
        List<LogRecord> front = new ArrayList<>(q.flightMemory);
        front.addAll(q.head);
        List<LogRecord> back = new ArrayList<>(q.tail);
        int lostFront = front.size();
        int lostBack = back.size();
        if (diskEnabled) {
            SpillLog log = spillOf(q);
            if (front.isEmpty()) {
                compactFirst(log);
            }
            if (!front.isEmpty()) {
                lostFront -= writeFirst(log, front);
            }
            if (!back.isEmpty()) {
                lostBack -= writeAll(log, back);
            }
        }
        reportShutdownLoss(front.subList(front.size() - lostFront, front.size()));
        reportShutdownLoss(back.subList(back.size() - lostBack, back.size()));
    }

    /**
     * Rewrites the undelivered rest of a partly delivered first segment as a new first segment, so a
     * clean restart does not deliver its delivered records again. Best effort: if the disk cannot
     * take the copy, the segment stays and its delivered records come again (at-least-once).
     */
    private void compactFirst(SpillLog log) {
        Segment first = log.first();
        if (first == null || !first.partlyDelivered() || first.fileBytes > diskRoom()) {
            return;
        }
        List<LogRecord> all;
        try {
            all = first.readAll();
        } catch (IOException e) {
            return;
        }
        if (all.size() != first.records) {
            return;
        }
        List<LogRecord> rest = all.subList((int) first.committedRecords, all.size());
        int written = writeFirst(log, rest);
        if (written == rest.size()) {
            log.discard(first);
        } else if (written > 0) {
            // A partial copy before the original would deliver records twice and out of order.
            Segment copy = log.first();
            if (copy != null && copy != first) {
                log.discard(copy);
            }
        }
    }

    /** Writes records older than the whole disk part as a new first segment; returns how many were written. */
    private int writeFirst(SpillLog log, List<LogRecord> list) {
        Segment s;
        if (Segment.HEADER_BYTES > budgetRoom()) {
            return 0;
        }
        Reservation header = reserve(Segment.HEADER_BYTES);
        if (!header.granted()) {
            return 0;
        }
        try {
            s = log.createFirst();
        } catch (IOException e) {
            header.cancel();
            metrics.ioError();
            FairBuffer.log.error("buffer {}: cannot persist memory records of {}: {}", name, log.dir, e.toString());
            return 0;
        }
        header.written(s.fileBytes);
        int written = 0;
        while (written < list.size()) {
            PendingBatch b = nextBatch(list, written, Math.min(SPILL_BATCH_BYTES, diskRoom()));
            if (b.bytes.remaining() > budgetRoom()) {
                break;
            }
            Reservation room = reserve(b.bytes.remaining());
            if (!room.granted()) {
                break;
            }
            long grown;
            try {
                grown = log.appendFirst(s, b.bytes, b.count, b.recordBytes, b.messageBytes);
            } catch (IOException e) {
                room.cancel();
                metrics.ioError();
                FairBuffer.log.error("buffer {}: cannot persist memory records of {}: {}", name, log.dir, e.toString());
                break;
            }
            room.written(grown);
            written += b.count;
        }
        if (written == 0) {
            log.abandonFirst(s);
            return 0;
        }
        log.addFirst(s);
        return written;
    }

    private void reportShutdownLoss(List<LogRecord> lostRecords) {
        if (lostRecords.isEmpty()) {
            return;
        }
        Map<String, long[]> byApp = new HashMap<>();
        for (LogRecord r : lostRecords) {
            long[] c = byApp.computeIfAbsent(r.app(), k -> new long[2]);
            c[0]++;
            c[1] += r.messageLength();
        }
        byApp.forEach((app, c) -> drops.dropped(app, "shutdown", c[0], c[1]));
        log.error("buffer {}: {} records could not be persisted at shutdown", name, lostRecords.size());
    }
}
