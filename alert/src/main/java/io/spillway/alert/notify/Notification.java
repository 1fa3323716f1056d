package io.spillway.alert.notify;

import io.spillway.event.EventSeverity;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One message about one incident, as every notifier renders it. Immutable.
 *
 * @param reason why this message is sent: {@code trigger}, {@code escalate} (a later level),
 *     {@code renotify} (repeat while unacknowledged), {@code acknowledge}, {@code resolve}, or
 *     {@code test} (a self-test of the target)
 * @param incidentId the incident's id (e.g. {@code 42})
 * @param dedupKey the incident's dedup key (e.g. {@code disk_watermark/node-7//var/lib/docker})
 * @param severity the incident's severity
 * @param state the incident's state when sent: {@code triggered}, {@code acknowledged}, {@code resolved}
 * @param summary one human line
 * @param host the host it concerns
 * @param app the app it concerns, if any
 * @param topWriter who is filling the disk, e.g. {@code app sensors-api writes 3.1 GB/min to
 *     /var/lib/docker on node-7}, if it applies
 * @param details small facts to show
 * @param ackUrl the signed acknowledge link ({@code /ack/{token}} on Spillway's public URL)
 * @param incidentUrl a link to the incident in Spillway, if a public URL is configured
 * @param level the escalation level (0-based) this message belongs to
 * @param time when the message was composed
 */
public record Notification(
        String reason,
        String incidentId,
        String dedupKey,
        EventSeverity severity,
        String state,
        String summary,
        String host,
        @Nullable String app,
        @Nullable String topWriter,
        Map<String, String> details,
        String ackUrl,
        @Nullable String incidentUrl,
        int level,
        Instant time) {
    public Notification {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(incidentId, "incidentId");
        Objects.requireNonNull(summary, "summary");
        details = Map.copyOf(details);
    }
}
