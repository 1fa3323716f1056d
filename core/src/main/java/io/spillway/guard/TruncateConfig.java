package io.spillway.guard;

import io.spillway.config.Check;
import io.spillway.config.DataSize;
import org.jspecify.annotations.Nullable;

/**
 * Line truncation ({@code guard.truncate}).
 *
 * <ul>
 *   <li>{@code enabled} (default {@code true}): cut messages longer than {@code max_message}.
 *   <li>{@code max_message} (default {@code 16KiB}, at least {@code 64B}): the most message bytes kept. A
 *       longer message is cut on a UTF-8 character boundary (at most 3 bytes before the limit) and
 *       gets the suffix {@code …[truncated N bytes]} and the field {@code truncated=N}, N being the
 *       bytes removed; the suffix comes on top of the limit.
 * </ul>
 */
public record TruncateConfig(boolean enabled, DataSize maxMessage) {
    public TruncateConfig {
        Check.atLeast(maxMessage, DataSize.ofBytes(64), "max_message");
        Check.require(maxMessage.bytes() <= Integer.MAX_VALUE - 64, "max_message", "must be below 2GiB");
    }

    public static TruncateConfig defaults() {
        return new TruncateConfig(true, DataSize.ofKiB(16));
    }

    /** The keys an app override may set; a key it leaves out keeps the global value. */
    public record Override(
            @Nullable Boolean enabled, @Nullable DataSize maxMessage) {
        public static Override defaults() {
            return new Override(null, null);
        }

        public TruncateConfig applyTo(TruncateConfig base) {
            return new TruncateConfig(
                    enabled != null ? enabled : base.enabled(), maxMessage != null ? maxMessage : base.maxMessage());
        }
    }
}
