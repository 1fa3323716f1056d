package io.spillway.alert.notify;

import io.spillway.event.EventSeverity;
import java.time.Instant;
import java.util.Map;

/** Notifications as the incident engine composes them. */
public final class Samples {
    private Samples() {}

    public static final Instant TIME = Instant.parse("2026-11-26T03:12:09Z");

    public static Notification disk(String reason, String state) {
        return new Notification(
                reason,
                "42",
                "disk_watermark/node-7//var/lib/docker",
                EventSeverity.CRITICAL,
                state,
                "/var/lib/docker 91% used",
                "node-7",
                "sensors-api",
                "app sensors-api writes 3.1 GB/min to /var/lib/docker on node-7",
                Map.of("used_percent", "91", "free", "4.2 GB"),
                "https://spillway.example.com/ack/tok-123",
                "https://spillway.example.com/incidents/42",
                0,
                TIME);
    }

    public static Notification trigger() {
        return disk("trigger", "triggered");
    }
}
