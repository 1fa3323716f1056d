package io.spillway.alert;

import io.spillway.alert.signal.IncidentSource;
import io.spillway.event.EventSeverity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one incident, as the API shows it. Immutable; the engine owns the live state.
 *
 * @param id the incident's number
 * @param dedupKey the condition's identity
 * @param kind the kind of condition
 * @param severity how bad
 * @param summary the latest human line
 * @param details the latest small facts
 * @param host the host ({@code ""} if unknown)
 * @param app the app; {@code null} for a host incident
 * @param labels routing labels
 * @param source where it came from
 * @param state triggered, acknowledged or resolved
 * @param policy the escalation policy routing it
 * @param level the current escalation level (0-based)
 * @param round how many times the policy has started over (0 in the first pass)
 * @param created when it opened
 * @param updated when anything last happened to it
 * @param acknowledgedBy who acknowledged it, if anyone
 * @param acknowledgedVia how ({@code link}, {@code cli}, {@code api}, {@code events_api})
 * @param acknowledgedAt when
 * @param resolvedBy {@code auto} or who resolved it
 * @param resolvedAt when
 * @param nextEscalation when the next level is paged, if paging is pending
 * @param lastNotified when a page last went out
 * @param parentId the host incident this one is attached to (inhibited), or 0
 * @param silenceId the silence muting it, or 0
 * @param topWriter who is filling the disk, if it applies
 * @param notifiedTargets targets paged so far (they also get the acknowledge and resolve messages)
 * @param timelineDropped timeline entries dropped to keep the timeline within its cap
 * @param timeline the entries, oldest first (empty in list views)
 */
public record Incident(
        long id,
        String dedupKey,
        String kind,
        EventSeverity severity,
        String summary,
        Map<String, String> details,
        String host,
        @Nullable String app,
        Map<String, String> labels,
        IncidentSource source,
        IncidentState state,
        String policy,
        int level,
        int round,
        Instant created,
        Instant updated,
        @Nullable String acknowledgedBy,
        @Nullable String acknowledgedVia,
        @Nullable Instant acknowledgedAt,
        @Nullable String resolvedBy,
        @Nullable Instant resolvedAt,
        @Nullable Instant nextEscalation,
        @Nullable Instant lastNotified,
        long parentId,
        long silenceId,
        @Nullable String topWriter,
        List<String> notifiedTargets,
        long timelineDropped,
        List<TimelineEntry> timeline) {
    public Incident {
        details = Map.copyOf(details);
        labels = Map.copyOf(labels);
        notifiedTargets = List.copyOf(notifiedTargets);
        timeline = List.copyOf(timeline);
    }

    /** True for a host-level incident (no app): per-app incidents on its host attach to it. */
    public boolean hostIncident() {
        return app == null;
    }
}
