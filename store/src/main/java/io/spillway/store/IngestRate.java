package io.spillway.store;

/**
 * Records per second over about the last minute: sixty one-second buckets indexed by epoch second.
 * Not thread-safe: guarded by its {@link AppLog}'s monitor.
 */
final class IngestRate {
    private static final int SECONDS = 60;
    private final long[] counts = new long[SECONDS];
    private final long[] seconds = new long[SECONDS];

    void add(long nowMillis, int n) {
        long sec = Math.floorDiv(nowMillis, 1000);
        int i = (int) Math.floorMod(sec, SECONDS);
        if (seconds[i] != sec) {
            seconds[i] = sec;
            counts[i] = 0;
        }
        counts[i] += n;
    }

    /** Records per second over the last 60 whole seconds (the current one excluded, as it is partial). */
    double perSecond(long nowMillis) {
        long sec = Math.floorDiv(nowMillis, 1000);
        long sum = 0;
        for (int i = 0; i < SECONDS; i++) {
            if (seconds[i] < sec && seconds[i] >= sec - SECONDS) {
                sum += counts[i];
            }
        }
        return sum / (double) SECONDS;
    }
}
