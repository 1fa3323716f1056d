package io.spillway.guard;

/**
 * One app's pair of token buckets, bytes and lines, refilled from a nanosecond ticker.
 *
 * <p>Units: tokens are counted in billionths (one byte or one line is {@link #UNIT}), so that a refill
 * of {@code rate × elapsed nanoseconds} is exact integer arithmetic, without rounding drift.
 * {@link RateLimitConfig} guarantees that {@code rate × burst} fits a long in these units.
 *
 * <p>Rules: a bucket starts full; capacity is {@code rate × burst}; a record is admitted when both
 * buckets hold its cost (its message bytes, and one line) and then both are charged; a refused record
 * costs nothing. A record larger than the whole byte capacity costs the whole capacity, so it passes
 * when the bucket is full instead of never. A rate of 0 means that dimension is not limited.
 *
 * <p>Retirement: a bucket idle for at least its burst duration is full again, so it is
 * indistinguishable from a new one; {@link #retireIfIdle} marks it so {@link RateLimitStage} can drop it
 * from its table without changing any decision. A thread that still holds a retired bucket gets
 * {@link #RETIRED} and looks the app up again.
 *
 * <p>Thread-safety: all state is guarded by the bucket's monitor; one app's records rarely come from
 * more than one thread, so the lock is almost always uncontended.
 */
final class TokenBucket {
    static final long UNIT = 1_000_000_000L;
    static final int ADMITTED = 0;
    static final int REFUSED = 1;
    static final int RETIRED = 2;
    static final int BYTES = 1;
    static final int LINES = 2;

    final RateLimitConfig config;
    private final long byteRate;
    private final long lineRate;
    private final long byteCap;
    private final long lineCap;
    private final long burstNanos;
    private final boolean unlimited;

    private long byteTokens;
    private long lineTokens;
    private long last;
    private long lastUsed;
    private boolean retired;
    /** Cost of the last refused record, zero after an admission: what {@link #retryAfterNanos} waits for. */
    private long refusedBytes;

    private long refusedLines;
    /** {@link #BYTES} and/or {@link #LINES}: which limit refused the last refused record. */
    private int exceeded;

    TokenBucket(RateLimitConfig config, long now) {
        this.config = config;
        this.unlimited = config.unlimited();
        this.byteRate = config.bytesPerSecond().bytes();
        this.lineRate = config.linesPerSecond();
        this.burstNanos = config.burst().toNanos();
        this.byteCap = byteRate * burstNanos;
        this.lineCap = lineRate * burstNanos;
        this.byteTokens = byteCap;
        this.lineTokens = lineCap;
        this.last = now;
        this.lastUsed = now;
    }

    synchronized int tryAcquire(long bytes, long now) {
        if (retired) {
            return RETIRED;
        }
        lastUsed = now;
        if (unlimited) {
            return ADMITTED;
        }
        refill(now);
        long costBytes = byteRate == 0 ? 0 : Math.min(bytes * UNIT, byteCap);
        long costLines = lineRate == 0 ? 0 : Math.min(UNIT, lineCap);
        boolean bytesOk = byteTokens >= costBytes;
        boolean linesOk = lineTokens >= costLines;
        if (bytesOk && linesOk) {
            byteTokens -= costBytes;
            lineTokens -= costLines;
            refusedBytes = 0;
            refusedLines = 0;
            return ADMITTED;
        }
        refusedBytes = costBytes;
        refusedLines = costLines;
        exceeded = (bytesOk ? 0 : BYTES) | (linesOk ? 0 : LINES);
        return REFUSED;
    }

    private void refill(long now) {
        long elapsed = now - last;
        if (elapsed <= 0) {
            return;
        }
        last = now;
        long e = Math.min(elapsed, burstNanos);
        byteTokens = add(byteTokens, byteRate * e, byteCap);
        lineTokens = add(lineTokens, lineRate * e, lineCap);
    }

    private static long add(long tokens, long refill, long cap) {
        return cap - tokens <= refill ? cap : tokens + refill;
    }

    /**
     * Nanoseconds until the last refused record would be admitted, or 0 when the last decision was an
     * admission or the bucket has refilled enough since.
     */
    synchronized long retryAfterNanos(long now) {
        if (retired || unlimited || (refusedBytes == 0 && refusedLines == 0)) {
            return 0;
        }
        refill(now);
        long wait = 0;
        if (refusedBytes > byteTokens) {
            wait = Math.max(wait, ceilDiv(refusedBytes - byteTokens, byteRate));
        }
        if (refusedLines > lineTokens) {
            wait = Math.max(wait, ceilDiv(refusedLines - lineTokens, lineRate));
        }
        return wait;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    synchronized boolean retireIfIdle(long now) {
        if (now - lastUsed >= burstNanos) {
            retired = true;
        }
        return retired;
    }

    synchronized int exceeded() {
        return exceeded;
    }

    /** Tokens left, in whole bytes and lines, after refilling to {@code now} (for tests and the API). */
    synchronized long[] tokens(long now) {
        refill(now);
        return new long[] {byteTokens / UNIT, lineTokens / UNIT};
    }
}
