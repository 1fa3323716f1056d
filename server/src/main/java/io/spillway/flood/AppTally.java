package io.spillway.flood;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Per-app counts of one flood run. {@code sent} is written by the sender thread; the rest by the
 * reader thread only; {@link #snapshot} may be called from any thread (it synchronises on this).
 *
 * <p>Bounds: the latency histogram has fixed size (1 µs to 1 h, 3 significant digits); the
 * delivered set is a bitset over sequence numbers, so it is at most sent/8 bytes.
 */
final class AppTally {
    final String app;
    final boolean noisy;
    final AtomicLong sent = new AtomicLong();
    private final BitSet delivered = new BitSet();
    private long deliveredCount;
    private long duplicates;
    private final Histogram latencyMicros = new Histogram(3_600_000_000L, 3);

    AppTally(String app, boolean noisy) {
        this.app = app;
        this.noisy = noisy;
    }

    synchronized void delivered(long seq, long latencyNanos) {
        if (seq < 0 || seq > Integer.MAX_VALUE) {
            return;
        }
        if (delivered.get((int) seq)) {
            duplicates++;
            return;
        }
        delivered.set((int) seq);
        deliveredCount++;
        latencyMicros.recordValue(Math.max(0, Math.min(latencyNanos / 1000, 3_600_000_000L)));
    }

    record Snapshot(String app, boolean noisy, long sent, long delivered, long duplicates, Histogram latencyMicros) {
        long lost() {
            return Math.max(0, sent - delivered);
        }
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(app, noisy, sent.get(), deliveredCount, duplicates, latencyMicros.copy());
    }
}
