package io.spillway.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One app's chunks: sealed ones in id order (oldest first) and at most one active chunk with a higher
 * id. Ids only grow and are never reused.
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

    long nextId;
    long sealedBytes;
    long sealedRecords;
    long sealedMessageBytes;
    long evictedBytes;
    long evictedRecords;
    final IngestRate rate = new IngestRate();

    AppLog(String name, Path dir) {
        this.name = name;
        this.dir = dir;
    }

    synchronized long bytes() {
        return sealedBytes + (active == null ? 0 : active.size());
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
        ActiveChunk a = active;
        if (a != null && a.count > 0) {
            records += a.count;
            raw += a.messageBytes;
            min = Math.min(min, a.minTs);
            max = Math.max(max, a.maxTs);
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

    /** What a query reads: the sealed chunks and, if the query needs it, a copy of the active chunk. */
    record Snapshot(List<SealedChunk> sealed, @Nullable ActiveView active) {}

    /**
     * Copies the chunk list; reads the active chunk's frames (at most {@code chunk_size} bytes) only if
     * {@code wantActive} says the query's range and cursor reach it.
     */
    synchronized Snapshot snapshot(ActiveFilter wantActive) throws java.io.IOException {
        ActiveView view = null;
        ActiveChunk a = active;
        if (a != null && a.count > 0 && wantActive.wants(a.id, a.minTs, a.maxTs)) {
            view = new ActiveView(a.id, a.count, a.minTs, a.maxTs, a.readAll());
        }
        return new Snapshot(List.copyOf(sealed), view);
    }

    /** Whether a query needs the active chunk with this id and time span. */
    interface ActiveFilter {
        boolean wants(long id, long minTs, long maxTs);
    }
}
