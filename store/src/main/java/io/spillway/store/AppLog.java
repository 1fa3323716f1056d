package io.spillway.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One app's chunks, in id order: sealed ones (oldest first), then full chunks waiting to be sealed on
 * the store's seal thread ({@link #sealing}, no longer written), then at most one active chunk. Ids
 * only grow and are never reused.
 *
 * <p>Thread-safety: every field is guarded by this object's monitor. The store's single writer
 * changes it under the monitor; queries take the monitor only to take a {@link #snapshot}.
 */
final class AppLog {
    final String name;
    final Path dir;
    final List<SealedChunk> sealed = new ArrayList<>();

    @Nullable
    ActiveChunk active;

    /**
     * Full chunks, closed for writing, that the seal thread compresses in id order. Not necessarily
     * forced yet: the store's next sync forces those still here.
     */
    final List<ActiveChunk> sealing = new ArrayList<>();

    long nextId;
    long sealedBytes;
    long sealedRecords;
    long sealedMessageBytes;
    long evictedBytes;
    long evictedRecords;
    final IngestRate rate = new IngestRate();

    /**
     * Records and message bytes of the batch being appended, and whether this app is in the batch's
     * touched list: the store's per-batch bookkeeping, kept here so an append needs no map lookup per
     * record. Guarded by the store's write lock (not this monitor).
     */
    long batchRecords;

    long batchBytes;
    boolean inBatch;

    /**
     * Whether this app was put in the store's {@code open} and {@code dirty} sets during the current
     * batch (cleared at the batch's end, and when a rotation or a close takes it out), so that an
     * append touches those sets once per app and batch. Guarded by the store's write lock.
     */
    boolean listed;

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

    synchronized long bytes() {
        long b = sealedBytes + (active == null ? 0 : active.size());
        for (ActiveChunk c : sealing) {
            b += c.size();
        }
        return b;
    }

    synchronized boolean hasSealed() {
        return !sealed.isEmpty();
    }

    synchronized AppSummary summary(long nowMillis) {
        long records = sealedRecords;
        long raw = sealedMessageBytes;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (SealedChunk c : sealed) {
            min = Math.min(min, c.minTs);
            max = Math.max(max, c.maxTs);
        }
        List<ActiveChunk> open = new ArrayList<>(sealing);
        if (active != null) {
            open.add(active);
        }
        for (ActiveChunk a : open) {
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
    synchronized Snapshot snapshot(ActiveFilter wanted) throws java.io.IOException {
        List<ActiveView> views = new ArrayList<>(sealing.size() + 1);
        List<ActiveChunk> open = new ArrayList<>(sealing);
        if (active != null) {
            open.add(active);
        }
        for (ActiveChunk a : open) {
            if (a.count > 0 && wanted.wants(a.id, a.minTs, a.maxTs)) {
                views.add(new ActiveView(a.id, a.count, a.minTs, a.maxTs, a.readAll()));
            }
        }
        return new Snapshot(List.copyOf(sealed), views);
    }

    /** Whether a query needs the active chunk with this id and time span. */
    interface ActiveFilter {
        boolean wants(long id, long minTs, long maxTs);
    }
}
