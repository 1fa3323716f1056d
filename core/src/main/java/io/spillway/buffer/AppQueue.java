package io.spillway.buffer;

import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One app's queue in the fair buffer: {@code head} (memory) → {@code spill} (disk) → {@code tail}
 * (memory), oldest first; records in flight (handed out, not committed) have left these parts but
 * still count in the app's holding. Invariant: {@code tail} is empty whenever the disk part is, so an
 * app that does not spill is just {@code head}.
 *
 * <p>The counters ({@code headBytes}, {@code tailBytes}, the {@code flight…} figures, {@code records},
 * {@code recordBytes}) change only through the methods below, each named for the event it records,
 * so that a part and its byte count never drift apart; {@link FairBuffer} reads the fields and keeps
 * its own totals beside them.
 *
 * <p>Not thread-safe: every field is guarded by the buffer's lock, and every method is called with it
 * held.
 */
final class AppQueue extends DeficitRoundRobin.Lane {
    final String key;
    final ArrayDeque<LogRecord> head = new ArrayDeque<>();
    final ArrayDeque<LogRecord> tail = new ArrayDeque<>();
    /** Handed-out memory records (always from the head), in order: kept for close, which persists them. */
    final ArrayList<LogRecord> flightMemory = new ArrayList<>();

    long headBytes;
    long tailBytes;
    long flightMemoryBytes;
    long flightDisk;
    long flightRecords;
    long flightRecordBytes;
    /** Records and sizeBytes held in all parts, in flight included. */
    long records;

    long recordBytes;
    boolean inBatch;

    @Nullable
    SpillLog spill;

    /** Reports records of the disk part found unreadable while delivering, naming this queue. */
    final SpillLog.Loss loss;

    /** Told of the records of a queue's disk part that turn out unreadable while delivering. */
    interface Losses {
        void lost(AppQueue q, long records, long recordBytes, long messageBytes, Path segment, String problem);
    }

    AppQueue(String key, Losses losses) {
        this.key = key;
        this.loss = (n, rb, mb, file, problem) -> losses.lost(this, n, rb, mb, file, problem);
    }

    /** The disk part, created on first use in {@code <bufferDir>/<app>}, counting into {@code usage}. */
    SpillLog spillLog(Path bufferDir, SpillLog.DiskUsage usage) {
        SpillLog s = spill;
        if (s == null) {
            s = new SpillLog(bufferDir.resolve(AppNames.normalize(key)), usage);
            spill = s;
        }
        return s;
    }

    /** A record enters memory: behind the disk part (the tail) while spilling, else the head. */
    void addToMemory(LogRecord r, long size) {
        if (spilling()) {
            tail.addLast(r);
            tailBytes += size;
        } else {
            head.addLast(r);
            headBytes += size;
        }
    }

    /** {@code n} records of {@code recBytes} joined the queue (accepted, or found on disk at start). */
    void held(long n, long recBytes) {
        records += n;
        recordBytes += recBytes;
    }

    /** {@code n} records of {@code recBytes} left the queue without being delivered (shed or lost). */
    void gone(long n, long recBytes) {
        records -= n;
        recordBytes -= recBytes;
    }

    /**
     * Takes at least {@code target} bytes of memory records (or all there are) for a spill, in order:
     * the newest of the head while the app does not spill, else the oldest of the tail, so that on
     * disk they stay in order with the rest of the queue.
     */
    List<LogRecord> takeForSpill(long target) {
        List<LogRecord> moving = new ArrayList<>();
        long movingBytes = 0;
        if (!spilling()) {
            while (movingBytes < target && !head.isEmpty()) {
                LogRecord r = head.pollLast();
                moving.add(r);
                movingBytes += r.sizeBytes();
            }
            Collections.reverse(moving);
            headBytes -= movingBytes;
        } else {
            while (movingBytes < target && !tail.isEmpty()) {
                LogRecord r = tail.pollFirst();
                moving.add(r);
                movingBytes += r.sizeBytes();
            }
            tailBytes -= movingBytes;
        }
        return moving;
    }

    /**
     * Puts back the records of {@link #takeForSpill} that did not reach disk, where they keep the
     * order: before the tail if the app has a disk part now, else at the end of the head.
     */
    void putBackUnspilled(List<LogRecord> rest, long restBytes) {
        if (spilling()) {
            for (int i = rest.size() - 1; i >= 0; i--) {
                tail.addFirst(rest.get(i));
            }
            tailBytes += restBytes;
        } else {
            head.addAll(rest);
            headBytes += restBytes;
        }
    }

    /**
     * Removes memory records until {@code size} bytes are freed or the part is empty, from the head or
     * the tail, oldest or newest first; returns them in the order removed.
     */
    List<LogRecord> shedMemory(boolean fromHead, boolean oldest, long size) {
        ArrayDeque<LogRecord> part = fromHead ? head : tail;
        List<LogRecord> shed = new ArrayList<>();
        long freed = 0;
        while (freed < size && !part.isEmpty()) {
            LogRecord r = oldest ? part.pollFirst() : part.pollLast();
            freed += r.sizeBytes();
            shed.add(r);
        }
        if (fromHead) {
            headBytes -= freed;
        } else {
            tailBytes -= freed;
        }
        return shed;
    }

    /**
     * Once the disk part has drained, the tail becomes the head (the invariant: no tail without a disk
     * part). Returns whether records moved, that is whether the app has deliverable records again.
     */
    boolean tailBecomesHead() {
        if (spilling() || tail.isEmpty()) {
            return false;
        }
        head.addAll(tail);
        headBytes += tailBytes;
        tail.clear();
        tailBytes = 0;
        return true;
    }

    /**
     * Hands out the record {@link #peek} returned ({@code r}, of {@code size} bytes): from the head, or
     * else from the disk part. Returns true when it is the app's first record in the current batch.
     */
    boolean handOut(LogRecord r, long size) {
        SpillLog s = spill;
        if (!head.isEmpty()) {
            head.pollFirst();
            headBytes -= size;
            flightMemory.add(r);
            flightMemoryBytes += size;
        } else if (s != null) {
            s.take(loss);
            flightDisk++;
        } else {
            throw new IllegalStateException("app " + key + " has nothing to take");
        }
        flightRecords++;
        flightRecordBytes += size;
        boolean first = !inBatch;
        inBatch = true;
        return first;
    }

    /**
     * The batch handed out was delivered: the records in flight leave the queue, and the disk part
     * deletes the segments they complete. The caller reads the flight figures first for its totals.
     */
    void committed() {
        flightMemory.clear();
        flightMemoryBytes = 0;
        SpillLog s = spill;
        if (flightDisk > 0 && s != null) {
            s.commit(flightDisk);
        }
        flightDisk = 0;
        records -= flightRecords;
        recordBytes -= flightRecordBytes;
        flightRecords = 0;
        flightRecordBytes = 0;
        inBatch = false;
    }

    long memoryBytes() {
        return headBytes + tailBytes + flightMemoryBytes;
    }

    long diskBytes() {
        SpillLog s = spill;
        return s == null ? 0 : s.fileBytes();
    }

    /** What the app holds against the buffer's budgets: memory plus disk. */
    long holding() {
        return memoryBytes() + diskBytes();
    }

    /** True while the app has a disk part: its new records follow on disk (or in {@code tail}). */
    boolean spilling() {
        SpillLog s = spill;
        return s != null && !s.isEmpty();
    }

    boolean empty() {
        return records == 0 && !inBatch;
    }

    /** The next record to hand out, without taking it. */
    @Nullable
    LogRecord peek() {
        LogRecord r = head.peekFirst();
        if (r != null) {
            return r;
        }
        SpillLog s = spill;
        if (s != null && s.unread() > 0) {
            r = s.peek(loss);
            if (r != null) {
                return r;
            }
            // The rest of the disk part was unreadable; if that drained it, the tail is now the head.
            return head.peekFirst();
        }
        // The tail is never handed out directly: it becomes the head once the disk part is fully
        // delivered. So records in flight always come from the head or the disk, and close() can
        // persist them before the disk part without breaking the app's order.
        return null;
    }

    @Override
    long headSize() {
        LogRecord r = peek();
        return r == null ? -1 : r.sizeBytes();
    }

    @Override
    void turnEnded() {
        SpillLog s = spill;
        if (s != null) {
            s.dropCaches();
        }
    }
}
