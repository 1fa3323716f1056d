package io.spillway.event;

/** How urgent an event or incident is, least to most. */
public enum EventSeverity {
    INFO,
    WARNING,
    CRITICAL;

    /** True if this is at least as severe as {@code other}. */
    public boolean atLeast(EventSeverity other) {
        return compareTo(other) >= 0;
    }
}
