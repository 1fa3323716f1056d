package io.spillway.pipeline;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with "equal jitter": the n-th retry
 * waits a random time in [c/2, c] with c = min(max, initial * 2^n), so retries of many workers spread out but never hammer. Not thread-safe; one per retry loop.
 */
public final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private int attempt;

    public Backoff(Duration initial, Duration max) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
    }

    public Duration next() {
        long cap = initialNanos << Math.min(attempt, 30);
        if (cap <= 0 || cap > maxNanos) {
            cap = maxNanos;
        }
        attempt++;
        return Duration.ofNanos(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
    }

    public void reset() {
        attempt = 0;
    }

    public int attempts() {
        return attempt;
    }
}
