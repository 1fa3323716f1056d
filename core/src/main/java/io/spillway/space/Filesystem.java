package io.spillway.space;

import java.io.IOException;
import java.time.InstantSource;
import org.jspecify.annotations.Nullable;

/**
 * One filesystem's ledger: free space as last measured, and the bytes claimed since.
 *
 * <p>Invariant, under this object's monitor: {@code available = measured - outstanding - settled},
 * where {@code outstanding} is what reservations still hold (writes granted, not yet done) and {@code
 * settled} what writes took since {@code measured} was read. A measurement runs under the monitor, so
 * every write settled before it is in the figure {@code statvfs} returns and {@code settled} starts
 * again from 0; a write still in progress stays in {@code outstanding} (it may be counted twice for a
 * moment, which errs on the side of the floor). Space freed by deletions shows at the next measurement.
 * Measurements happen at most once per {@code interval}, on the thread that reserves.
 */
final class Filesystem {
    final DiskSpace probe;
    final String label;
    private final InstantSource clock;
    private final long intervalMillis;

    private long total = -1;
    private long block = 4096;
    private long measured;
    private long measuredAt = Long.MIN_VALUE;
    private @Nullable String error;
    private long outstanding;
    private long settled;
    private long measurements;

    Filesystem(DiskSpace probe, String label, InstantSource clock, long intervalMillis) {
        this.probe = probe;
        this.label = label;
        this.clock = clock;
        this.intervalMillis = intervalMillis;
    }

    /**
     * Measures if the last measurement is older than the interval. A failed measurement is retried at
     * the same rate, not on every write. Caller holds the monitor.
     */
    private void refresh() {
        long now = clock.millis();
        if (measuredAt != Long.MIN_VALUE && now - measuredAt < intervalMillis) {
            return;
        }
        measure(now);
    }

    synchronized void measureNow() {
        measure(clock.millis());
    }

    private void measure(long now) {
        try {
            if (total < 0) {
                // A filesystem's size does not change under a running process worth caring about.
                total = probe.totalBytes();
                block = Math.max(1, probe.blockBytes());
            }
            measured = probe.usableBytes();
            settled = 0;
            error = null;
        } catch (IOException | RuntimeException e) {
            error = e.toString();
        }
        measuredAt = now;
        measurements++;
    }

    /** Bytes a write of {@code bytes} may take: rounded up to whole blocks, plus one block. */
    long charge(long bytes) {
        if (bytes <= 0) {
            return 0;
        }
        long blocks = (bytes + block - 1) / block;
        return (blocks + 1) * block;
    }

    /**
     * Claims {@code charge} bytes if the writer's floor allows it. Returns null when granted, else the
     * figures that refused it (read under the monitor, for the message).
     */
    synchronized @Nullable Figures claim(long charge, SpaceFloor floor, boolean enforce) {
        refresh();
        if (enforce) {
            if (error != null) {
                return new Figures(measured, outstanding + settled, total, -1, error, clock.millis() - measuredAt);
            }
            long floorBytes = floor.bytesFor(total);
            long available = measured - outstanding - settled;
            if (available - charge < floorBytes) {
                return new Figures(
                        measured, outstanding + settled, total, floorBytes, null, clock.millis() - measuredAt);
            }
        }
        outstanding += charge;
        return null;
    }

    /** A granted claim's write is done: {@code actual} bytes count until the next measurement. */
    synchronized void settle(long claimed, long actual) {
        outstanding -= claimed;
        settled += actual;
    }

    /** Bytes a writer with {@code floor} could claim now (0 if none, or if unmeasurable). */
    synchronized long room(SpaceFloor floor) {
        refresh();
        if (error != null) {
            return 0;
        }
        long r = measured - outstanding - settled - floor.bytesFor(total);
        // A claim is charged whole blocks plus one: what can be asked for is a little less.
        return Math.max(0, r - 2 * block);
    }

    synchronized long total() {
        if (total < 0) {
            refresh();
        }
        return total;
    }

    synchronized long measured() {
        return measured;
    }

    synchronized long claimed() {
        return outstanding + settled;
    }

    synchronized long measurements() {
        return measurements;
    }

    /** What a refusal saw. {@code floorBytes} is -1 when the filesystem could not be measured. */
    record Figures(
            long measured,
            long claimed,
            long total,
            long floorBytes,
            @Nullable String error,
            long ageMillis) {}
}
