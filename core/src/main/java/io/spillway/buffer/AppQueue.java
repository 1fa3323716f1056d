package io.spillway.buffer;

import io.spillway.record.LogRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import org.jspecify.annotations.Nullable;

/**
 * One app's queue in the fair buffer: {@code head} (memory) → {@code spill} (disk) → {@code tail}
 * (memory), oldest first; records in flight (handed out, not committed) have left these parts but
 * still count in the app's holding. Invariant: {@code tail} is empty whenever the disk part is, so an
 * app that does not spill is just {@code head}. All fields are guarded by the buffer's lock.
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

    SpillLog.@Nullable Loss loss;

    AppQueue(String key) {
        this.key = key;
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
        if (s != null && s.unread() > 0 && loss != null) {
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
