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
    /** Latencies of lines sent after the run's warm-up window only (see {@link Workload#warmup}). */
    private final Histogram steadyMicros = new Histogram(3_600_000_000L, 3);

    AppTally(String app, boolean noisy) {
        this.app = app;
        this.noisy = noisy;
    }

    /**
     * @param steady whether the line was sent after the warm-up window (new apps' first lines create
     *     files, queues and metrics on the way, and the JVM is still compiling)
     */
    synchronized void delivered(long seq, long latencyNanos, boolean steady) {
        if (seq < 0 || seq > Integer.MAX_VALUE) {
            return;
        }
        if (delivered.get((int) seq)) {
            duplicates++;
            return;
        }
        delivered.set((int) seq);
        deliveredCount++;
        long micros = Math.max(0, Math.min(latencyNanos / 1000, 3_600_000_000L));
        latencyMicros.recordValue(micros);
        if (steady) {
            steadyMicros.recordValue(micros);
        }
    }

    record Snapshot(
            String app,
            boolean noisy,
            long sent,
            long delivered,
            long duplicates,
            Histogram latencyMicros,
            Histogram steadyMicros) {
        long lost() {
            return Math.max(0, sent - delivered);
        }
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(
                app, noisy, sent.get(), deliveredCount, duplicates, latencyMicros.copy(), steadyMicros.copy());
    }
}
