package io.spillway.buffer;

import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * Deficit round robin (Shreedhar and Varghese, 1995) over lanes with a byte quantum: each turn a lane
 * may take records while its deficit covers the next record's size; the deficit grows by the quantum
 * per turn and is forgotten when the lane empties. Over any interval in which two lanes stay
 * backlogged, the bytes they are served differ by at most one quantum plus one record, so one app's
 * backlog adds at most a quantum per turn to another's latency.
 *
 * <p>Use: {@link #activate} a lane when it gets records; to dequeue, {@link #next} names the lane whose
 * head record goes next; the caller takes that record and reports its size with {@link #taken}. A
 * turn may end between two calls to {@code next} (a batch is full): the same lane continues at the
 * next call without a new quantum. Not thread-safe: the buffer calls it under its lock.
 */
final class DeficitRoundRobin<L extends DeficitRoundRobin.Lane> {

    /** A queue served by the round robin. */
    abstract static class Lane {
        long deficit;
        boolean active;
        boolean granted;

        /** Size of the head record, or -1 when the lane has nothing to dequeue. */
        abstract long headSize();

        /** Called when the lane's turn ends (its head no longer fits its deficit, or it emptied). */
        void turnEnded() {}
    }

    private final long quantum;
    private final ArrayDeque<L> active = new ArrayDeque<>();

    DeficitRoundRobin(long quantum) {
        if (quantum <= 0) {
            throw new IllegalArgumentException("quantum must be positive: " + quantum);
        }
        this.quantum = quantum;
    }

    /** Adds a lane that has records, at the end of the round; no-op when it already takes part. */
    void activate(L lane) {
        if (!lane.active) {
            lane.active = true;
            lane.deficit = 0;
            lane.granted = false;
            active.addLast(lane);
        }
    }

    /** The lane whose head record should be dequeued next, or null when no lane has records. */
    @Nullable
    L next() {
        while (!active.isEmpty()) {
            L lane = active.peekFirst();
            long head = lane.headSize();
            if (head < 0) {
                active.pollFirst();
                lane.active = false;
                lane.deficit = 0;
                lane.granted = false;
                lane.turnEnded();
                continue;
            }
            if (!lane.granted) {
                lane.deficit += quantum;
                lane.granted = true;
            }
            if (head <= lane.deficit) {
                return lane;
            }
            // Turn over: keep the deficit for the next round, so a record larger than the quantum is
            // served after enough rounds.
            lane.granted = false;
            active.pollFirst();
            active.addLast(lane);
            lane.turnEnded();
        }
        return null;
    }

    /** The caller took {@code size} bytes from the lane {@link #next} returned. */
    void taken(L lane, long size) {
        lane.deficit -= size;
    }

    /** Lanes taking part in the round, for tests and gauges. */
    int activeLanes() {
        return active.size();
    }
}
