package io.spillway.alert.intake;

import io.spillway.config.Check;
import io.spillway.config.DataSize;
import java.util.List;

/**
 * External intake ({@code intake:}): {@code POST /api/v1/alerts/alertmanager} (Alertmanager webhook
 * v4) and {@code POST /api/v1/alerts/events} (PagerDuty Events API v2).
 *
 * <ul>
 *   <li>{@code max_body} (default {@code 1MiB}, at least {@code 1KiB}): larger bodies are refused
 *       with 413.
 *   <li>{@code max_alerts} (default {@code 1000}, at least 1): alerts per Alertmanager payload.
 *   <li>{@code routing_keys} (default none): if set, an Events API event must carry one of these
 *       {@code routing_key}s; if empty, any non-empty key is accepted.
 * </ul>
 */
public record IntakeConfig(DataSize maxBody, int maxAlerts, List<String> routingKeys) {
    public IntakeConfig {
        routingKeys = List.copyOf(routingKeys);
        Check.atLeast(maxBody, DataSize.ofKiB(1), "max_body");
        Check.require(maxBody.bytes() <= Integer.MAX_VALUE - 16, "max_body", "must be below 2 GiB");
        Check.atLeast(maxAlerts, 1, "max_alerts");
    }

    public static IntakeConfig defaults() {
        return new IntakeConfig(DataSize.ofMiB(1), 1000, List.of());
    }
}
