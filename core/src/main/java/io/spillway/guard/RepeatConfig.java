package io.spillway.guard;

import io.spillway.config.Check;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Repeat suppression ({@code guard.repeat}), see {@link RepeatStage}. Off by default: it drops lines.
 *
 * <ul>
 *   <li>{@code enabled} (default {@code false}).
 *   <li>{@code after} (default {@code 10}, at least {@code 1}): how many identical consecutive lines of
 *       an app pass before the following identical ones are dropped (reason {@code repeat}).
 *   <li>{@code window} (default {@code 10s}, between {@code 1s} and {@code 1h}): a run of repeats starts
 *       afresh this long after its first line, so a line repeated forever still shows {@code after}
 *       times per window.
 * </ul>
 */
public record RepeatConfig(boolean enabled, int after, Duration window) {
    public RepeatConfig {
        Check.atLeast(after, 1, "after");
        Check.require(
                window.compareTo(Duration.ofSeconds(1)) >= 0 && window.compareTo(Duration.ofHours(1)) <= 0,
                "window",
                "must be between 1s and 1h");
    }

    public static RepeatConfig defaults() {
        return new RepeatConfig(false, 10, Duration.ofSeconds(10));
    }

    /** The keys an app override may set; a key it leaves out keeps the global value. */
    public record Override(
            @Nullable Boolean enabled,
            @Nullable Integer after,
            @Nullable Duration window) {
        public static Override defaults() {
            return new Override(null, null, null);
        }

        public RepeatConfig applyTo(RepeatConfig base) {
            return new RepeatConfig(
                    enabled != null ? enabled : base.enabled(),
                    after != null ? after : base.after(),
                    window != null ? window : base.window());
        }
    }
}
