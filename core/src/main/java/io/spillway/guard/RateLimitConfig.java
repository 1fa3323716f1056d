package io.spillway.guard;

import io.spillway.config.Check;
import io.spillway.config.DataSize;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Per-app rate limit ({@code guard.rate_limit}), see {@link RateLimitStage}.
 *
 * <ul>
 *   <li>{@code enabled} (default {@code true}).
 *   <li>{@code bytes_per_second} (default {@code 1MiB}): message bytes per second each app may send;
 *       {@code 0} means no byte limit.
 *   <li>{@code lines_per_second} (default {@code 5000}): records per second each app may send; {@code 0}
 *       means no line limit.
 *   <li>{@code burst} (default {@code 10s}, between {@code 1ms} and {@code 1h}): how long an idle app
 *       may send above the rate: each bucket holds {@code rate × burst}. {@code rate × burst} must stay
 *       below 9 GB (and 9·10⁹ lines).
 * </ul>
 *
 * <p>The reserved app {@code _spillway} is never limited.
 */
public record RateLimitConfig(boolean enabled, DataSize bytesPerSecond, long linesPerSecond, Duration burst) {
    public RateLimitConfig {
        Check.atLeast(linesPerSecond, 0, "lines_per_second");
        Check.require(
                burst.compareTo(Duration.ofMillis(1)) >= 0 && burst.compareTo(Duration.ofHours(1)) <= 0,
                "burst",
                "must be between 1ms and 1h");
        // Buckets count tokens in units of 1/10^9 so that nanosecond refills are exact; rate × burst in
        // those units must fit a long.
        Check.require(fits(bytesPerSecond.bytes(), burst), "bytes_per_second", "times burst must stay below 9 GB");
        Check.require(fits(linesPerSecond, burst), "lines_per_second", "times burst must stay below 9·10⁹");
    }

    private static boolean fits(long rate, Duration burst) {
        return Math.multiplyHigh(rate, burst.toNanos()) == 0 && rate * burst.toNanos() >= 0;
    }

    public static RateLimitConfig defaults() {
        return new RateLimitConfig(true, DataSize.ofMiB(1), 5000, Duration.ofSeconds(10));
    }

    /** True when this config lets everything through. */
    boolean unlimited() {
        return !enabled || (bytesPerSecond.bytes() == 0 && linesPerSecond == 0);
    }

    /** The keys an app override may set; a key it leaves out keeps the global value. */
    public record Override(
            @Nullable Boolean enabled,
            @Nullable DataSize bytesPerSecond,
            @Nullable Long linesPerSecond,
            @Nullable Duration burst) {
        public static Override defaults() {
            return new Override(null, null, null, null);
        }

        public RateLimitConfig applyTo(RateLimitConfig base) {
            return new RateLimitConfig(
                    enabled != null ? enabled : base.enabled(),
                    bytesPerSecond != null ? bytesPerSecond : base.bytesPerSecond(),
                    linesPerSecond != null ? linesPerSecond : base.linesPerSecond(),
                    burst != null ? burst : base.burst());
        }
    }
}
