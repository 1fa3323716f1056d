package io.spillway.pipeline;

import io.spillway.config.Check;
import java.time.Duration;

/**
 * The pipeline's own conditions ({@code watch}), see {@link PipelineWatch}.
 *
 * <ul>
 *   <li>{@code interval} (default {@code 1s}, at least {@code 100ms}): how often drops, outputs and
 *       inputs are checked.
 *   <li>{@code drops_clear_after} (default {@code 1m}): a {@code drops} event for an app clears after
 *       this long without a drop.
 *   <li>{@code output_down_after} (default {@code 30s}): an output failing every delivery for this long
 *       raises {@code output_down} (critical); it clears on the next delivered batch.
 *   <li>{@code input_error_storm} (default {@code 100}): more errors than this within {@code
 *       input_error_window} in one input raise {@code input_errors}; it clears after a window without
 *       errors.
 *   <li>{@code input_error_window} (default {@code 10s}).
 * </ul>
 */
public record WatchConfig(
        Duration interval,
        Duration dropsClearAfter,
        Duration outputDownAfter,
        long inputErrorStorm,
        Duration inputErrorWindow) {
    public WatchConfig {
        Check.require(interval.compareTo(Duration.ofMillis(100)) >= 0, "interval", "must be at least 100ms");
        Check.require(
                !dropsClearAfter.isNegative() && !dropsClearAfter.isZero(), "drops_clear_after", "must be positive");
        Check.require(
                !outputDownAfter.isNegative() && !outputDownAfter.isZero(), "output_down_after", "must be positive");
        Check.atLeast(inputErrorStorm, 1, "input_error_storm");
        Check.require(
                inputErrorWindow.compareTo(Duration.ofSeconds(1)) >= 0, "input_error_window", "must be at least 1s");
    }

    public static WatchConfig defaults() {
        return new WatchConfig(
                Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofSeconds(30), 100, Duration.ofSeconds(10));
    }
}
