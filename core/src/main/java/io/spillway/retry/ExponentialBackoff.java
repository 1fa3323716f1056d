package io.spillway.retry;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with "equal jitter": after the n-th consecutive failure the caller waits a random
 * time in [c/2, c], with c = min(max, initial · 2^(n-1)), so the retries of many workers spread out but
 * none retries at once.
 *
 * <p>Stateless, like Kafka's {@code ExponentialBackoff}: the caller counts its own failures (it has to
 * anyway, to log them or give up after a number) and passes the count and its jitter source, so one
 * instance serves any number of retry loops and a test fixes the delays with a seeded generator.
 * Immutable and thread-safe; as thread-safe as the {@link RandomGenerator} each call is given.
 *
 * <p>Delays are whole milliseconds: retry times are persisted and shown at that precision, and no
 * caller sleeps more finely.
 */
public final class ExponentialBackoff {
    /** Doublings beyond this would overflow a {@code long} of milliseconds; the cap applies long before. */
    private static final int MAX_DOUBLINGS = 30;

    private final long initialMillis;
    private final long maxMillis;

    /** @throws IllegalArgumentException unless {@code 0 < initial <= max} */
    public ExponentialBackoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(
                    "backoff needs 0 < initial <= max, got initial " + initial + " and max " + max);
        }
        this.initialMillis = initial.toMillis();
        this.maxMillis = max.toMillis();
    }

    /**
     * How long to wait after the {@code failures}-th consecutive failure (1 for the first).
     *
     * @throws IllegalArgumentException if {@code failures < 1}
     */
    public Duration delay(int failures, RandomGenerator random) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be at least 1, got " + failures);
        }
        long cap = initialMillis << Math.min(failures - 1, MAX_DOUBLINGS);
        if (cap <= 0 || cap > maxMillis) {
            cap = maxMillis;
        }
        return Duration.ofMillis(random.nextLong(cap / 2, cap + 1));
    }
}
