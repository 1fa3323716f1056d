package io.spillway.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One app's chunks, in id order: sealed ones (oldest first), then full chunks waiting to be sealed on
 * the store's seal thread ({@link #sealing}, no longer written), then at most one active chunk.
 *
 * <p><b>Invariants</b>, kept by the operations below, which are the only code that changes this
 * object (the store, its {@link Sealer} and its {@link Retention} call them; none writes a field):
 *
 * <ul>
 *   <li>Ids only grow and are never reused: a new active chunk takes {@link #nextId}, which stays
 *       above every id this app has held since open.
 *   <li>{@link #sealed} is sorted by id; the sealed totals ({@code sealedBytes}, {@code
 *       sealedRecords}, {@code sealedMessageBytes}) are the sums of its chunks' file sizes, record
 *       counts and message bytes.
 *   <li>A chunk is in exactly one place at a time: active, waiting in {@link #sealing}, or sealed.
 *       It moves only forward: active → waiting ({@link #rotate}) → sealed ({@link
 *       #replaceWithSealed}), or active → sealed directly at open ({@link Sealer#sealNow}).
 *   <li>Only the oldest sealed chunk leaves by retention ({@link #dropOldest}, counted as evicted); a
 *       repair may remove or rewrite any sealed chunk ({@link #removeSealed}, {@link #replaceSealed}),
 *       not counted as evicted.
 *   <li>A waiting chunk flagged {@code sealFailed} is one whose seal failed; {@link #takeFailedSeals}
 *       hands each back once for a retry.
 * </ul>
 *
 * <p><b>Thread-safety.</b> The chunk lists, the active chunk, the ids, the totals and the ingest rate
 * are guarded by this object's monitor: the store's single writer and the seal thread change them
 * under it; queries take it only to take a {@link #snapshot}. The per-batch bookkeeping ({@link
 * #joinBatch} and its kin) is guarded by the store's write lock instead, and its methods do not take
 * the monitor. The fields {@link #sealed}, {@link #sealing} and {@link #active} stay visible to the
 * package, read-only (the lists are unmodifiable views), so tests can look at them.
 */
final class AppLog {
    final String name;
    final Path dir;

    private final List<SealedChunk> sealedChunks = new ArrayList<>();
    /** The sealed chunks, oldest first: a read-only view, changed only through the methods below. */
    final List<SealedChunk> sealed = Collections.unmodifiableList(sealedChunks);

    /** Written only by this class (the store's tests read it). */
    @Nullable
    ActiveChunk active;

    private final List<ActiveChunk> waiting = new ArrayList<>();
    /**
     * Full chunks, closed for writing, that the seal thread compresses in id order: a read-only view.
     * Not necessarily forced yet: the store's next sync forces those still here.
     */
    final List<ActiveChunk> sealing = Collections.unmodifiableList(waiting);

    private long nextId;
    private long sealedBytes;
    private long sealedRecords;
    private long sealedMessageBytes;
    private long evictedBytes;
    private final IngestRate rate = new IngestRate();

    /**
     * Records and message bytes of the batch being appended, and whether this app is in the batch's
     * touched list: the store's per-batch bookkeeping, kept here so an append needs no map lookup per
     * record. Guarded by the store's write lock (not this monitor).
     */
    private long batchRecords;

    private long batchBytes;
    private boolean inBatch;

    /**
     * Whether this app was put in the store's {@code open} and {@code dirty} sets during the current
     * batch (cleared at the batch's end, and when a rotation or a close takes it out), so that an
     * append touches those sets once per app and batch. Guarded by the store's write lock.
     */
    private boolean listed;

    private final int hash;

    AppLog(String name, Path dir) {
        this.name = name;
        this.dir = dir;
        this.hash = name.hashCode();
    }

    /**
     * Identity equality (names are unique within a store), with a stored hash: the store's per-record
     * bookkeeping hashes apps, and an identity hash of an object whose monitor is inflated (queries and
     * the seal thread take it) is a slow runtime call.
     */
    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return this == o;
    }

    // ---------------------------------------------------------------- opening

    /** At open: a sealed chunk read from disk (or sealed again from damage) joins the list, in id order. */
    synchronized void addSealed(SealedChunk c) {
        sealedChunks.add(c);
        sealedChunks.sort(Comparator.comparingLong(x -> x.id));
        sealedBytes += c.fileSize;
        sealedRecords += c.count;
        sealedMessageBytes += c.messageBytes;
    }

    /** At open: a chunk recovered from its {@code .open} file becomes the active one. */
    synchronized void resumeActive(ActiveChunk c) {
        active = c;
    }

    /**
     * At open: the active chunk {@code c} could not be sealed (the filesystem is at its floor). It
     * waits like a rotated chunk, flagged failed, so maintenance retries it once there is room.
     */
    synchronized void deferSeal(ActiveChunk c) {
        active = null;
        c.sealFailed = true;
        waiting.add(c);
    }

    /** At open: the next chunk takes the id after {@code maxId}, the highest found on disk. */
    synchronized void continueIdsAfter(long maxId) {
        nextId = maxId + 1;
    }

    // ---------------------------------------------------------------- writing

    /** Where an append put its record, and how the active chunk's size changed. */
    record Appended(long chunkId, int index, long grewBy, long chunkSize) {}

    /**
     * Appends one framed record to the active chunk, starting one (with the next id) if there is
     * none, and counts it in the ingest rate.
     */
    synchronized Appended append(byte[] frame, int off, int len, long timestamp, int messageBytes, long nowMillis)
            throws IOException {
        ActiveChunk c = active;
        if (c == null) {
            c = ActiveChunk.create(dir, nextId++, nowMillis);
            active = c;
        }
        long before = c.size();
        int index = c.append(frame, off, len, timestamp, messageBytes, nowMillis);
        long after = c.size();
        rate.add(nowMillis, 1);
        return new Appended(c.id, index, after - before, after);
    }

    /** Hands the active chunk's buffered records to the operating system. */
    synchronized void flushActiveToOs() throws IOException {
        if (active != null) {
            active.flushToOs();
        }
    }

    /** Closes the active chunk's channel (to bound open files); the next append reopens it. */
    synchronized void closeActiveChannel() throws IOException {
        if (active != null) {
            active.closeChannel();
        }
    }

    /** The active chunk's channel to force for a sync, after its buffer went to the OS; null if nothing to force. */
    synchronized @Nullable FileChannel flushActiveForSync() throws IOException {
        return active == null ? null : active.flushForSync();
    }

    /** The active chunk's records handed out for a sync are on disk. */
    synchronized void activeSynced() {
        if (active != null) {
            active.synced();
        }
    }

    synchronized boolean hasActive() {
        return active != null;
    }

    synchronized boolean hasActiveRecords() {
        return active != null && active.count > 0;
    }

    /** Whether the active chunk has records and its first one was written {@code millis} ago or more. */
    synchronized boolean activeOpenFor(long nowMillis, long millis) {
        return active != null && active.count > 0 && nowMillis - active.firstWriteMillis >= millis;
    }

    // ---------------------------------------------------------------- sealing

    /**
     * Takes the active chunk out of writing, if it has records: its buffer goes to the operating
     * system and it waits for the seal thread; the next append starts a new chunk.
     *
     * @return the chunk now waiting, or null if there was nothing to rotate
     */
    synchronized @Nullable ActiveChunk rotate() throws IOException {
        ActiveChunk c = active;
        if (c == null || c.count == 0) {
            return null;
        }
        c.flushToOs();
        active = null;
        waiting.add(c);
        return c;
    }

    /**
     * At open: the active chunk, its buffer handed to the operating system, to be sealed at once; null
     * if it has no records.
     */
    synchronized @Nullable ActiveChunk activeToSeal() throws IOException {
        ActiveChunk c = active;
        if (c == null || c.count == 0) {
            return null;
        }
        c.flushToOs();
        return c;
    }

    /** {@code c} (the active chunk, at open, or a waiting one) is sealed as {@code s}: s takes its place. */
    synchronized void replaceWithSealed(ActiveChunk c, SealedChunk s) {
        if (c == active) {
            active = null;
        } else {
            waiting.remove(c);
        }
        addSealed(s);
    }

    /** Whether {@code c} still waits for the seal thread (once out, its sealed file was forced). */
    synchronized boolean isWaiting(ActiveChunk c) {
        return waiting.contains(c);
    }

    /** The seal of the waiting chunk {@code c} failed: maintenance retries it. */
    synchronized void sealFailed(ActiveChunk c) {
        c.sealFailed = true;
    }

    /** The waiting chunks whose seal failed, each handed out once (its flag cleared) for a retry. */
    synchronized List<ActiveChunk> takeFailedSeals() {
        List<ActiveChunk> failed = waiting.stream().filter(c -> c.sealFailed).toList();
        failed.forEach(c -> c.sealFailed = false);
        return failed;
    }

    // ---------------------------------------------------------------- retention and repair

    synchronized boolean hasSealed() {
        return !sealedChunks.isEmpty();
    }

    /** Whether the oldest sealed chunk's last record was written more than {@code ageMillis} ago. */
    synchronized boolean oldestSealedIdleLongerThan(long nowMillis, long ageMillis) {
        return !sealedChunks.isEmpty() && nowMillis - sealedChunks.get(0).lastWriteMillis > ageMillis;
    }

    /**
     * Retention: takes the oldest sealed chunk out of the list and counts it as evicted. The caller
     * deletes its file (outside this monitor: a query that snapshotted it fails its read and says so).
     *
     * @return the chunk taken out, or null if there is no sealed chunk
     */
    synchronized @Nullable SealedChunk dropOldest() {
        if (sealedChunks.isEmpty()) {
            return null;
        }
        SealedChunk s = sealedChunks.remove(0);
        subtractSealed(s);
        evictedBytes += s.fileSize;
        return s;
    }

    /** At open: whether a sealed chunk with this id was read. */
    synchronized boolean hasSealedId(long id) {
        return sealedChunks.stream().anyMatch(c -> c.id == id);
    }

    /** Whether {@code c} is still one of the sealed chunks (not evicted nor replaced meanwhile). */
    synchronized boolean holds(SealedChunk c) {
        return sealedChunks.contains(c);
    }

    /** Repair: takes a sealed chunk with no readable block out of the list; false if it left already. */
    synchronized boolean removeSealed(SealedChunk c) {
        if (!sealedChunks.remove(c)) {
            return false;
        }
        subtractSealed(c);
        return true;
    }

    /**
     * Repair: renames {@code rewritten} (the chunk without its damaged blocks) over {@code c}'s file and
     * puts the reopened chunk in its place, under this monitor so that retention cannot delete the file
     * between the rename and the swap. If {@code c} left meanwhile, deletes {@code rewritten}.
     *
     * @return the chunk that took {@code c}'s place, or null if {@code c} was no longer held
     */
    synchronized @Nullable SealedChunk replaceSealed(SealedChunk c, Path rewritten) throws IOException {
        int i = sealedChunks.indexOf(c);
        if (i < 0) {
            Files.deleteIfExists(rewritten);
            return null;
        }
        Files.move(rewritten, c.path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        SealedChunk r = SealedChunk.open(c.path, c.id);
        sealedChunks.set(i, r);
        subtractSealed(c);
        sealedBytes += r.fileSize;
        sealedRecords += r.count;
        sealedMessageBytes += r.messageBytes;
        return r;
    }

    private void subtractSealed(SealedChunk c) {
        sealedBytes -= c.fileSize;
        sealedRecords -= c.count;
        sealedMessageBytes -= c.messageBytes;
    }

    // ---------------------------------------------------------------- per-batch bookkeeping (write lock)

    /** Joins the batch being appended, its counts at zero; false if already in it. */
    boolean joinBatch() {
        if (inBatch) {
            return false;
        }
        inBatch = true;
        batchRecords = 0;
        batchBytes = 0;
        return true;
    }

    /** Counts one record of {@code messageBytes} in the current batch. */
    void countInBatch(long messageBytes) {
        batchRecords++;
        batchBytes += messageBytes;
    }

    long batchRecords() {
        return batchRecords;
    }

    long batchBytes() {
        return batchBytes;
    }

    /** The batch ended: the next one lists this app again (moving it to the back of {@code open}). */
    void leaveBatch() {
        inBatch = false;
        listed = false;
    }

    /** Marks the app as put in the store's open and dirty sets; false if it was already. */
    boolean markListed() {
        if (listed) {
            return false;
        }
        listed = true;
        return true;
    }

    /** The app left the store's open set (a rotation, or its channel closed to bound open files). */
    void unlist() {
        listed = false;
    }

    // ---------------------------------------------------------------- reading

    synchronized long bytes() {
        long b = sealedBytes + (active == null ? 0 : active.size());
        for (ActiveChunk c : waiting) {
            b += c.size();
        }
        return b;
    }

    synchronized int sealedCount() {
        return sealedChunks.size();
    }

    /** The sealed chunks' records, file bytes and message bytes. */
    record SealedTotals(long records, long bytes, long messageBytes) {}

    synchronized SealedTotals sealedTotals() {
        return new SealedTotals(sealedRecords, sealedBytes, sealedMessageBytes);
    }

    synchronized AppSummary summary(long nowMillis) {
        long records = sealedRecords;
        long raw = sealedMessageBytes;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (SealedChunk c : sealedChunks) {
            min = Math.min(min, c.minTs);
            max = Math.max(max, c.maxTs);
        }
        for (ActiveChunk a : openChunks()) {
            if (a.count > 0) {
                records += a.count;
                raw += a.messageBytes;
                min = Math.min(min, a.minTs);
                max = Math.max(max, a.maxTs);
            }
        }
        return new AppSummary(
                name,
                records,
                bytes(),
                raw,
                records == 0 ? null : instant(min),
                records == 0 ? null : instant(max),
                rate.perSecond(nowMillis),
                evictedBytes);
    }

    /** The chunks not sealed yet, in id order: the waiting ones, then the active one. Caller holds the monitor. */
    private List<ActiveChunk> openChunks() {
        List<ActiveChunk> open = new ArrayList<>(waiting);
        if (active != null) {
            open.add(active);
        }
        return open;
    }

    static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /** The active chunk as a query sees it: its records at the time of the snapshot. */
    record ActiveView(long id, int count, long minTs, long maxTs, byte[] frames) {}

    /**
     * What a query reads: the sealed chunks and, where the query needs them, copies of the chunks not
     * sealed yet (waiting ones, then the active one), in id order.
     */
    record Snapshot(List<SealedChunk> sealed, List<ActiveView> open) {}

    /**
     * Copies the chunk list; reads the frames of an unsealed chunk (at most {@code chunk_size} bytes
     * each) only if {@code wanted} says the query's range and cursor reach it.
     */
    synchronized Snapshot snapshot(ActiveFilter wanted) throws IOException {
        List<ActiveChunk> open = openChunks();
        List<ActiveView> views = new ArrayList<>(open.size());
        for (ActiveChunk a : open) {
            if (a.count > 0 && wanted.wants(a.id, a.minTs, a.maxTs)) {
                views.add(new ActiveView(a.id, a.count, a.minTs, a.maxTs, a.readAll()));
            }
        }
        return new Snapshot(List.copyOf(sealedChunks), views);
    }

    /** Whether a query needs the active chunk with this id and time span. */
    interface ActiveFilter {
        boolean wants(long id, long minTs, long maxTs);
    }
}
