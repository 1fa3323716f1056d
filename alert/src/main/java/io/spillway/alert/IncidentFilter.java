package io.spillway.alert;

import io.spillway.event.EventSeverity;
import org.jspecify.annotations.Nullable;

/**
 * Which incidents {@link IncidentEngine#list} returns, newest first. Unset fields match anything.
 *
 * @param state only this state
 * @param host only this host (exactly)
 * @param app only this app (exactly)
 * @param minSeverity only at least this severity
 * @param limit at most this many (1..10000)
 */
public record IncidentFilter(
        @Nullable IncidentState state,
        @Nullable String host,
        @Nullable String app,
        @Nullable EventSeverity minSeverity,
        int limit) {
    public static final int MAX_LIMIT = 10_000;

    public IncidentFilter {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
    }

    /** Every incident, the newest 100. */
    public static IncidentFilter all() {
        return new IncidentFilter(null, null, null, null, 100);
    }

    /** The newest 1000 triggered (unacknowledged) incidents. */
    public static IncidentFilter triggered() {
        return new IncidentFilter(IncidentState.TRIGGERED, null, null, null, 1000);
    }

    public IncidentFilter withState(@Nullable IncidentState s) {
        return new IncidentFilter(s, host, app, minSeverity, limit);
    }
}
