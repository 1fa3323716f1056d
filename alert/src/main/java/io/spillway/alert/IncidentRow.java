package io.spillway.alert;

import io.spillway.alert.signal.IncidentSource;
import io.spillway.event.EventSeverity;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The live, mutable state of one incident inside the engine; {@link #snapshot} gives the immutable
 * {@link Incident}. Not thread-safe: only touched under the engine's lock.
 */
final class IncidentRow {
    long id;
    String dedupKey = "";
    String kind = "";
    EventSeverity severity = EventSeverity.WARNING;
    String summary = "";
    Map<String, String> details = Map.of();
    String host = "";

    @Nullable
    String app;

    Map<String, String> labels = Map.of();
    IncidentSource source = IncidentSource.EVENT;
    IncidentState state = IncidentState.TRIGGERED;
    String policy = "";
    int level;
    int round;
    Instant created = Instant.EPOCH;
    Instant updated = Instant.EPOCH;

    @Nullable
    String ackedBy;

    @Nullable
    String ackedVia;

    @Nullable
    Instant ackedAt;

    @Nullable
    String resolvedBy;

    @Nullable
    Instant resolvedAt;

    @Nullable
    Instant nextEscalation;

    @Nullable
    Instant lastNotified;

    long parentId;
    long silenceId;

    @Nullable
    String topWriter;

    Set<String> notified = new LinkedHashSet<>();
    long timelineDropped;
    long timelineSeq;
    long timelineCount;

    Incident snapshot(List<TimelineEntry> timeline) {
        return new Incident(
                id,
                dedupKey,
                kind,
                severity,
                summary,
                details,
                host,
                app,
                labels,
                source,
                state,
                policy,
                level,
                round,
                created,
                updated,
                ackedBy,
                ackedVia,
                ackedAt,
                resolvedBy,
                resolvedAt,
                nextEscalation,
                lastNotified,
                parentId,
                silenceId,
                topWriter,
                List.copyOf(notified),
                timelineDropped,
                timeline);
    }

    Incident snapshot() {
        return snapshot(List.of());
    }
}
