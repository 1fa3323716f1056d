package io.spillway.space;

import io.spillway.config.Check;
import io.spillway.config.Durations;
import io.spillway.config.RenamedFrom;
import java.time.Duration;

/**
 * The space accountant's keys ({@code space:} in the config file; see {@link SpaceAccountant} and
 * {@code docs/configuration.md}).
 *
 * @param measureInterval how often, at most, the free space of one filesystem is measured ({@code
 *     statvfs}); between measurements every reservation is subtracted from the last figure, so the
 *     floor holds without a system call per write. Default {@code 250ms}; {@code 0s} measures before
 *     every reservation; at most {@code 10s}.
 * @param minFreeSpace the floor of Spillway's small files that have no floor key of their own (the API
 *     tokens file, the tail input's checkpoint, the forward input's partial-message journal). Default
 *     {@code min(5%, 256MiB)}. Formerly spelled {@code floor}, which still works with a deprecation warning.
 * @param clearAfter a refusal episode of one writer ends after this long without a refused write: its
 *     {@code disk_floor} event clears and the next refusal logs a WARN again. Default {@code 1m}; at
 *     least {@code 1s}.
 */
public record SpaceConfig(
        Duration measureInterval, @RenamedFrom("floor") SpaceFloor minFreeSpace, Duration clearAfter) {
    /** The key of {@link #minFreeSpace()} in the node's config file, named in messages about the floor. */
    public static final String MIN_FREE_SPACE_KEY = "space.min_free_space";

    public static final Duration MAX_MEASURE_INTERVAL = Duration.ofSeconds(10);

    public SpaceConfig {
        Check.require(
                !measureInterval.isNegative() && measureInterval.compareTo(MAX_MEASURE_INTERVAL) <= 0,
                "measure_interval",
                "must be between 0s and " + Durations.format(MAX_MEASURE_INTERVAL) + ", got "
                        + Durations.format(measureInterval));
        Check.require(
                clearAfter.compareTo(Duration.ofSeconds(1)) >= 0,
                "clear_after",
                "must be at least 1s, got " + Durations.format(clearAfter));
    }

    public static SpaceConfig defaults() {
        return new SpaceConfig(Duration.ofMillis(250), SpaceFloor.DEFAULT, Duration.ofMinutes(1));
    }
}
