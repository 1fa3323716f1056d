package io.spillway.alert.heartbeat;

import io.spillway.alert.notify.SecretUrl;
import io.spillway.config.Check;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The outbound heartbeat, the dead man's switch ({@code alert.dead_mans_switch}), see {@link
 * OutboundHeartbeat}.
 *
 * <ul>
 *   <li>{@code enabled} (default {@code false}).
 *   <li>{@code url} (required when enabled): the {@code http://} or {@code https://} URL to ping, e.g.
 *       {@code https://hc-ping.com/<uuid>}. Its path is a token: only scheme, host and port are ever shown.
 *   <li>{@code method} (default {@code post}): {@code post} sends a small JSON status; {@code get}
 *       sends nothing.
 *   <li>{@code interval} (default {@code 60s}, at least {@code 1s}): time between pings. Set the
 *       monitor's grace period to a few intervals.
 *   <li>{@code timeout} (default {@code 10s}, between {@code 1ms} and {@code interval}): how long
 *       connecting may take, and again how long the answer may take.
 *   <li>{@code failures_before_event} (default {@code 3}, at least {@code 1}): consecutive failed
 *       pings before the event {@code heartbeat_ping_failed} fires (it clears on the next success).
 * </ul>
 */
public record HeartbeatConfig(
        boolean enabled,
        @Nullable SecretUrl url,
        Method method,
        Duration interval,
        Duration timeout,
        int failuresBeforeEvent) {

    /** The HTTP method of a ping. */
    public enum Method {
        GET,
        POST
    }

    public HeartbeatConfig {
        Check.require(interval.compareTo(Duration.ofSeconds(1)) >= 0, "interval", "must be at least 1s");
        Check.require(
                timeout.compareTo(Duration.ofMillis(1)) >= 0 && timeout.compareTo(interval) <= 0,
                "timeout",
                "must be between 1ms and interval");
        Check.atLeast(failuresBeforeEvent, 1, "failures_before_event");
        if (enabled) {
            Check.require(url != null, "url", "is required when the heartbeat is enabled");
        }
    }

    public static HeartbeatConfig defaults() {
        return new HeartbeatConfig(false, null, Method.POST, Duration.ofSeconds(60), Duration.ofSeconds(10), 3);
    }
}
