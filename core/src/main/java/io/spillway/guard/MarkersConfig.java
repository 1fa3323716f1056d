package io.spillway.guard;

import io.spillway.config.Check;
import java.time.Duration;

/**
 * Drop markers ({@code guard.markers}), see {@link DropLedger}.
 *
 * <ul>
 *   <li>{@code enabled} (default {@code true}): every {@code interval}, write one marker record into the
 *       stream of each app that lost records in that interval. Drops are counted either way.
 *   <li>{@code interval} (default {@code 10s}, at least {@code 1s}): how often markers are written, and
 *       so the most markers one app receives: one per interval.
 * </ul>
 */
public record MarkersConfig(boolean enabled, Duration interval) {
    public MarkersConfig {
        Check.require(interval.compareTo(Duration.ofSeconds(1)) >= 0, "interval", "must be at least 1s");
    }

    public static MarkersConfig defaults() {
        return new MarkersConfig(true, Duration.ofSeconds(10));
    }
}
